// Starts the page. Trunk's injected inline script is off (the CSP forbids inline scripts), so this file,
// served from the page's own origin, loads the wasm-bindgen glue and the wasm next to it.
import init from './page.js';

init({ module_or_path: new URL('./page_bg.wasm', import.meta.url) });

// Offline support: a service worker keeps the page's own files (see sw.js). Not on file://, where
// browsers allow none.
if ('serviceWorker' in navigator && location.protocol.startsWith('http')) {
  navigator.serviceWorker.register('./sw.js').catch((error) => console.warn('offline cache unavailable:', error));
}
