//! The hash that binds an inference to the extrinsic that requested it, for the answers
//! attestor nodes give before the block (`attribution.report_answer`).

use codec::Encode;
use frame_support::traits::Get;

use super::{open_block, state_of};
use crate::{configs::attribution::ExtrinsicHash, System};

/// `ExtrinsicHash` reads the extrinsic being applied from `frame_system`'s private
/// `ExtrinsicData` by its storage key: it is the `blake2_256` of the encoding `Executive` noted,
/// what the pool names the extrinsic by, and none outside an extrinsic.
#[test]
fn the_request_hash_is_that_of_the_extrinsic_being_applied() {
	state_of("development").execute_with(|| {
		assert_eq!(ExtrinsicHash::get(), None, "no extrinsic before the block");
		open_block(1, 1);
		// The timestamp inherent was extrinsic 0; the next is 1.
		assert_eq!(System::extrinsic_index(), Some(1));
		let encoded = (b"an extrinsic's encoding", 7u32).encode();
		System::note_extrinsic(encoded.clone());
		assert_eq!(ExtrinsicHash::get(), Some(sp_io::hashing::blake2_256(&encoded).into()));
	});
}
