/** Entry point of the panoptic-stream web viewer: builds the app into #app. */
import './style.css';
import { App } from './app.js';

const root = document.getElementById('app');
if (root) {
  const app = new App(root);
  app.start();
  // Exposed for debugging from the console and for the e2e test's assertions on the live state.
  (window as unknown as { panopticViewer: App }).panopticViewer = app;
}
