// Unit tests of the record parser: what the CLI's `contribute` sends, and the line numbers of
// what it refuses. No node needed.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { blake3 } from '@noble/hashes/blake3';
import { u8aToHex } from '@polkadot/util';

import { parseRecords } from '../lib/parse.js';
import { recordHash } from '../lib/records.js';

const dense = { kind: 'Dense', dims: 3, classes: 10, maxValue: 16, maxPayloadLen: 4096 };
const text = { kind: 'Text', classes: 2, maxPayloadLen: 20 };
const messages = ({ errors }) => errors.map((e) => e.message);

test('the record hash is blake3 of the payload and the label as u16 little-endian, as the chain computes it', () => {
	assert.equal(recordHash(new Uint8Array([97, 98, 99]), 1), u8aToHex(blake3(new Uint8Array([97, 98, 99, 1, 0]))));
	assert.equal(recordHash(new Uint8Array([1]), 0x0102), u8aToHex(blake3(new Uint8Array([1, 2, 1]))));
});

test('Dense CSV rows become payloads of one byte a value, after an optional header', () => {
	const { records, errors } = parseRecords('label,a,b,c\n1,2,3,16\n\n0, 0 ,1,2\n', dense, 'csv');
	assert.deepEqual(errors, []);
	assert.deepEqual(records.map((r) => [r.line, r.label, [...r.payload]]), [[2, 1, [2, 3, 16]], [4, 0, [0, 1, 2]]]);
	assert.equal(records[0].hash, recordHash(new Uint8Array([2, 3, 16]), 1));
});

test('each bad Dense row is named by its line, and the good rows are kept', () => {
	const got = parseRecords('1,2,3,4\n2,1,1\n3,1,17,1\n1,2,3,4\n11,1,1,1\nx,1,1,1\n4,1.5,1,1\n', dense, 'csv');
	assert.deepEqual(messages(got), [
		'line 2: expected 3 values after the label, found 2',
		'line 3: value 2 is 17, outside 0..=16',
		'line 4: the same record as line 1',
		"line 5: label 11 is not below the schema's 10 classes",
		'line 6: label "x" is not an integer',
		'line 7: value 1 "1.5" is not an integer',
	]);
	assert.deepEqual(got.records.map((r) => r.line), [1]);
});

test('Text CSV follows RFC 4180 quoting, and a record spanning lines is named by its first line', () => {
	const got = parseRecords('0,"hello, ""world"""\n1,"two\nlines"\n1,a,b\n0,\n1,this text is far too long for it\n', text, 'csv');
	assert.deepEqual(
		got.records.map((r) => [r.line, r.label, new TextDecoder().decode(r.payload)]),
		[[1, 0, 'hello, "world"'], [2, 1, 'two\nlines']],
	);
	assert.deepEqual(messages(got), [
		'line 4: expected 2 fields (label,text), found 3; quote a text that holds commas',
		'line 5: the text is empty',
		"line 6: the payload is 32 bytes, above the chain's limit of 20",
	]);
});

test('the payload limit counts UTF-8 bytes, not characters', () => {
	const got = parseRecords('0,ééééééééééé\n', text, 'csv');
	assert.deepEqual(messages(got), ["line 1: the payload is 22 bytes, above the chain's limit of 20"]);
});

test('JSON Lines: one object a line; what is not is named by its line', () => {
	const got = parseRecords('{"label":1,"text":"hi"}\n\n{"label":1}\nnot json\n[1]\n{"label":0,"text":"ok"}\n', text, 'jsonl');
	assert.deepEqual(got.records.map((r) => r.line), [1, 6]);
	const [missing, notJson, notObject] = messages(got);
	assert.equal(missing, 'line 3: expected "label" and "text"');
	assert.match(notJson, /^line 4: not JSON: /);
	assert.equal(notObject, 'line 5: expected an object');
	assert.equal(got.errors.length, 3);
	const d = parseRecords('{"label":2,"values":[1,2,3]}\n{"label":2,"values":"1,2,3"}\n', dense, 'jsonl');
	assert.deepEqual([...d.records[0].payload], [1, 2, 3]);
	assert.deepEqual(messages(d), ['line 2: expected a list of values']);
});

test('an unclosed quote fails the whole CSV file with a line', () => {
	const got = parseRecords('0,"unterminated\n1,x\n', text, 'csv');
	assert.equal(got.records.length, 0);
	assert.equal(got.errors.length, 1);
	assert.match(got.errors[0].message, /^line \d+: not valid CSV: Quote Not Closed/);
});
