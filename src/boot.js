// Starts the page. Trunk's injected inline script is off (the CSP forbids inline scripts), so this file,
// served from the page's own origin, loads the wasm-bindgen glue and the wasm next to it.
import init from './page.js';

// Said on the page when its own code cannot run, which otherwise leaves it blank (the code will not load:
// a browser without WebAssembly SIMD) or no longer answering (a trap once running: a bug, or memory the tab
// could not give), with the reason only in the console. Text only, never markup: the reason may quote a file.
function stopped(message) {
  if (document.querySelector('[data-testid=page-error]')) return;
  const line = document.createElement('p');
  line.className = 'page-error';
  line.setAttribute('role', 'alert');
  line.dataset.testid = 'page-error';
  line.textContent = message;
  document.body.prepend(line);
}

const trapped = (error) => {
  if (error instanceof WebAssembly.RuntimeError) {
    stopped(`trailscope stopped (${error.message}): what is shown may be out of date, and the page no longer ` +
      'answers. Reload it to start again; your files never left this machine.');
  }
};
addEventListener('error', (event) => trapped(event.error));
addEventListener('unhandledrejection', (event) => trapped(event.reason));

init({ module_or_path: new URL('./page_bg.wasm', import.meta.url) }).catch((error) => stopped(
  `trailscope cannot run in this browser (${error?.message ?? error}). It needs WebAssembly with SIMD: ` +
  'Chrome or Edge 91, Firefox 89, Safari 16.4 or later.'));

// Offline support: a service worker keeps the page's own files (see sw.js). Not on file://, where
// browsers allow none.
if ('serviceWorker' in navigator && location.protocol.startsWith('http')) {
  navigator.serviceWorker.register('./sw.js').catch((error) => console.warn('offline cache unavailable:', error));
}
