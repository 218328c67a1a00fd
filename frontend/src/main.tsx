// The entry point. Styles are imported here so Vite emits them as a file:
// the server's CSP forbids inline styles.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App.tsx";
import "./styles.css";

const container = document.getElementById("root");
if (!container) {
  throw new Error("index.html has no #root element");
}
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
