// Starts the page. Trunk's injected inline script is off (the CSP forbids inline scripts), so this file,
// served from the page's own origin, loads the wasm-bindgen glue and the wasm next to it.
import init from './trailscope.js';

init({ module_or_path: new URL('./trailscope_bg.wasm', import.meta.url) });
