// HTML built from template literals: every interpolated value is escaped unless it is already
// HTML (`raw`, or the result of another `html` template).

class Html {
	constructor(text) {
		this.text = text;
	}

	toString() {
		return this.text;
	}
}

/** Marks `text` as HTML that is inserted as is. */
export const raw = (text) => new Html(text);

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escape = (s) => String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]);

function part(v) {
	if (v instanceof Html) return v.text;
	if (Array.isArray(v)) return v.map(part).join('');
	if (v === null || v === undefined || v === false) return '';
	return escape(v);
}

/** A template tag: `html\`<td>${value}</td>\`` with `value` escaped. */
export function html(strings, ...values) {
	let out = strings[0];
	values.forEach((v, i) => {
		out += part(v) + strings[i + 1];
	});
	return new Html(out);
}
