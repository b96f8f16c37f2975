#!/usr/bin/env -S node --no-warnings
// Runs a program built for wasm32-wasip1 (the core's benchmarks) in Node's V8, the engine Chromium runs
// the page's wasm with: the cargo runner for that target (`.cargo/config.toml`), so that
// `cargo bench --target wasm32-wasip1` prints the same figures as natively, measured in wasm.
// Usage: node tests/bench/wasi.mjs PROGRAM.wasm [ARGS...]

import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const [program, ...args] = process.argv.slice(2);
if (!program) throw new Error('usage: node tests/bench/wasi.mjs PROGRAM.wasm [ARGS...]');
const wasi = new WASI({ version: 'preview1', args: [program, ...args], env: process.env, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(program));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
