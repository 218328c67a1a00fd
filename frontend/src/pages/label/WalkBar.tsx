// The task page's view of a "Label selected" walk (see walk.ts): where the
// task is in the selection, with Previous, Next and Leave selection; and the
// card that says the selection is done.
import type { Walk, WalkState } from "./walk.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorAlert } from "../../components/Messages.tsx";
import { count } from "../../format.ts";
import { Link } from "../../router.tsx";

/** walkSize is how many tasks the walk holds: exact once every page is read. */
function walkSize(walk: Walk): number {
  return walk.more ? Math.max(walk.total, walk.ids.length) : walk.ids.length;
}

/** Passed says which tasks the walk went past because they could not be opened. */
function Passed({ ids }: { ids: readonly string[] }) {
  if (ids.length === 0) return null;
  return (
    <p className="message message-info walk-passed" role="status">
      Skipped {ids.length === 1 ? `task ${ids[0]}` : `tasks ${ids.join(", ")}`}: deleted, or not visible to you.
    </p>
  );
}

export function WalkBar({ state }: { state: WalkState }) {
  const { walk } = state;
  if (!walk) return null;
  return (
    <nav className="card walk-bar" aria-label="Selected tasks">
      <p className="walk-position">
        <strong>
          Task {(walk.index + 1).toLocaleString()} of {walkSize(walk).toLocaleString()}
        </strong>{" "}
        <span className="muted">in the selection</span>
      </p>
      <div className="actions">
        <Button onClick={state.previous} disabled={walk.index === 0 || state.moving}>
          Previous
        </Button>
        <Button onClick={state.next} pending={state.moving}>
          Next
        </Button>
        <Button variant="danger-ghost" onClick={state.leave}>
          Leave selection
        </Button>
      </div>
      <Passed ids={walk.passed} />
      <ErrorAlert error={state.error} />
    </nav>
  );
}

export function WalkDone({ walk, projectId }: { walk: Walk; projectId: string }) {
  return (
    <div className="card done">
      <h2>The selection is done.</h2>
      <p>That was the last of the {count(walkSize(walk), "selected task")}.</p>
      <Passed ids={walk.passed} />
      <p>
        <Link to={`/projects/${encodeURIComponent(projectId)}`}>Back to the data manager</Link>
      </p>
    </div>
  );
}
