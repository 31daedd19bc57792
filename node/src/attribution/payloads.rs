//! Where this node reads Datanet payloads from: its own database's transaction index, which
//! keeps the bytes each contribution indexed with the block body (for as long as the node keeps
//! block bodies: `--blocks-pruning`), and, for what it lacks, its peers over bitswap (with
//! `--ipfs-server`, which starts the node's bitswap client and server).

use std::{collections::HashMap, sync::Arc, time::Duration};

use futures::FutureExt;
use openledger_primitives::payloads::PayloadStore;
use sc_client_api::BlockBackend;
use sc_network_bitswap::{BitswapHandle, Cid};
use sp_core::H256;

use openledger_runtime::opaque::Block;

/// How long one fetch waits for its peers: past it, what did not come is missing.
const FETCH_TIMEOUT: Duration = Duration::from_secs(30);

/// The CIDv1 of indexed bytes whose blake2b-256 hash is `content`: raw codec (0x55), multihash
/// blake2b-256 (0xb220, a varint), 32 bytes.
pub fn cid_of(content: &H256) -> Cid {
	let mut bytes = vec![0x01, 0x55, 0xa0, 0xe4, 0x02, 0x20];
	bytes.extend_from_slice(content.as_bytes());
	Cid::try_from(bytes.as_slice()).expect("a well-formed CIDv1")
}

/// The payloads this node can reach: its database, then its peers.
pub struct NodePayloads<C> {
	client: Arc<C>,
	bitswap: Option<BitswapHandle>,
}

impl<C> NodePayloads<C> {
	/// Reads from `client`'s database, and fetches what it lacks with `bitswap` if given.
	pub fn new(client: Arc<C>, bitswap: Option<BitswapHandle>) -> Self {
		Self { client, bitswap }
	}
}

impl<C: BlockBackend<Block> + Send + Sync> PayloadStore for NodePayloads<C> {
	fn fetch(&self, contents: Vec<H256>) -> Vec<Option<Vec<u8>>> {
		let mut found: Vec<Option<Vec<u8>>> =
			contents.iter().map(|c| self.client.indexed_transaction(*c).ok().flatten()).collect();
		let lacking: Vec<usize> = (0..contents.len()).filter(|i| found[*i].is_none()).collect();
		if lacking.is_empty() {
			return found;
		}
		let Some(bitswap) = &self.bitswap else {
			log::debug!(
				target: "attribution",
				"{} payload blocks are not in this node's database, and without --ipfs-server it \
				 fetches none",
				lacking.len()
			);
			return found;
		};
		// Each CID once, with the positions that want it.
		let mut wanted: HashMap<Cid, Vec<usize>> = HashMap::new();
		for i in lacking {
			wanted.entry(cid_of(&contents[i])).or_default().push(i);
		}
		log::info!(target: "attribution", "fetching {} payload blocks over bitswap", wanted.len());
		let mut stream = match bitswap.request_stream(wanted.keys().copied().collect()) {
			Ok(stream) => stream,
			Err(e) => {
				log::warn!(target: "attribution", "bitswap refused the fetch: {e}");
				return found;
			},
		};
		// The handle checks every block against its CID; whatever has not come in time is left
		// missing (a named error to the worker, never a wrong payload).
		futures::executor::block_on(async {
			let mut deadline = futures_timer::Delay::new(FETCH_TIMEOUT).fuse();
			while !wanted.is_empty() {
				futures::select! {
					item = stream.recv().fuse() => match item {
						Some(Ok((cid, bytes))) => {
							for i in wanted.remove(&cid).unwrap_or_default() {
								found[i] = Some(bytes.to_vec());
							}
						},
						Some(Err(e)) => {
							log::warn!(target: "attribution", "bitswap: {e}");
							break;
						},
						None => break,
					},
					_ = deadline => {
						log::warn!(
							target: "attribution",
							"{} payload blocks did not come over bitswap within {} s",
							wanted.len(),
							FETCH_TIMEOUT.as_secs()
						);
						break;
					},
				}
			}
		});
		found
	}
}
