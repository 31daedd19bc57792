//! The ∞-gram's tokeniser: bytes grouped by a fixed ASCII rule, lossless.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
	Word,
	Space,
	Other,
}

fn class(b: u8) -> Class {
	if b.is_ascii_alphanumeric() || b >= 0x80 {
		Class::Word
	} else if b.is_ascii_whitespace() {
		Class::Space
	} else {
		Class::Other
	}
}

/// The tokens of `text`, as slices of it; they concatenate back to `text`.
pub fn tokenize(text: &[u8]) -> Vec<&[u8]> {
	let mut tokens = Vec::new();
	let mut start = 0;
	while start < text.len() {
		let kind = class(text[start]);
		let mut end = start + 1;
		if kind != Class::Other {
			while end < text.len() && class(text[end]) == kind {
				end += 1;
			}
		}
		tokens.push(&text[start..end]);
		start = end;
	}
	tokens
}
