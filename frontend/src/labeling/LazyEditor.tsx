// The labeling editor as its own chunk: Editor.tsx and the objects and
// controls it draws load on first use (the label, review and task pages and
// the project form's preview), not with the rest of the app. Until the chunk
// is there, each editor's place shows a placeholder; if it cannot be loaded
// (the server was updated and the old chunk is gone, or the network failed)
// or fails to draw, a message in its place says to reload the page.
import { Component, lazy, Suspense, type ReactNode } from "react";

import { Loading } from "../components/Messages.tsx";
import type { EditorProps } from "./Editor.tsx";

let chunk: Promise<typeof import("./Editor.tsx")> | null = null;

function load(): Promise<typeof import("./Editor.tsx")> {
  if (chunk === null) {
    chunk = import("./Editor.tsx");
    // A failure shows where the editor is drawn; a preload alone reports nothing.
    chunk.catch(() => undefined);
  }
  return chunk;
}

/** preloadEditor starts loading the editor's chunk, for pages that show it once their data is there. */
export function preloadEditor(): void {
  void load();
}

const LazyEditor = lazy(() => load().then((module) => ({ default: module.Editor })));

/** Editor is the labeling editor of Editor.tsx, loaded with its chunk. */
export function Editor(props: EditorProps) {
  return (
    <ChunkBoundary>
      <Suspense fallback={<Loading label="Loading the editor…" />}>
        <LazyEditor {...props} />
      </Suspense>
    </ChunkBoundary>
  );
}

/** ChunkBoundary shows a message in place of an editor whose chunk failed to load or that failed to draw. */
class ChunkBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override render() {
    if (this.state.failed) {
      return (
        <div role="alert" className="message message-error">
          The labeling editor could not be shown. Reload the page to try again.
        </div>
      );
    }
    return this.props.children;
  }
}
