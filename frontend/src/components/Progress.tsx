// How many of a project's tasks are labeled, as "N of M" and a bar.

/** Progress shows "labeled of total" as a number and a bar. */
export function Progress({ done, total }: { done: number; total: number }) {
  const ratio = total > 0 ? Math.min(done / total, 1) : 0;
  return (
    <span className="progress">
      <span aria-hidden="true">
        {done.toLocaleString()} of {total.toLocaleString()}
      </span>
      <progress value={done} max={Math.max(total, 1)} aria-label={`${done} of ${total} tasks labeled`}>
        {Math.round(ratio * 100)}%
      </progress>
    </span>
  );
}
