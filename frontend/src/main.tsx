/** Entry point: read Django's bootstrap data and mount the builder. */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import { readBootstrap } from "./bootstrap";
import "./styles/app.css";

const root = document.getElementById("builder-root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App bootstrap={readBootstrap()} />
    </StrictMode>,
  );
}
