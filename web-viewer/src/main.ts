// Placeholder entry; the viewer (issue 5) replaces it.
const app = document.getElementById('app');
if (app) app.textContent = 'panoptic-stream viewer';
