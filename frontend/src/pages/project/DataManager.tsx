// The data manager: a project's tasks, fifty to a page, sorted and filtered
// on the server's allowlisted fields, paged by keyset cursors (a stack of
// them, so Previous page returns exactly where it was). Task data is shown
// as text; image fields as thumbnails, and only from http(s) or data:image
// URLs.
import { useEffect, useMemo, useRef, useState, type MouseEvent } from "react";

import type { JsonValue } from "../../api.ts";
import {
  DeleteAnnotationsMutation,
  DeleteTasksMutation,
  MembersQuery,
  TasksQuery,
  type OrderDirection,
  type Project,
  type ReviewState,
  type TaskFilter,
  type TaskOrderField,
  type DataManagerRow,
} from "../../operations.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorAlert, Loading } from "../../components/Messages.tsx";
import { count, formatDateTime } from "../../format.ts";
import { useMutation, usePagedQuery, useQuery } from "../../hooks.ts";
import { asText, parseLabelConfig, safeImageUrl } from "../../labeling/config.ts";
import { Link } from "../../router.tsx";
import { QuickView } from "./QuickView.tsx";
import { openWalk, walkOfIds, walkOfQuery } from "../label/walk.ts";
import { useViewer } from "../../session.tsx";

const pageSize = 50;

type FilterChoice = "all" | "labeled" | "unlabeled" | "skipped";

const sortFields: { value: TaskOrderField; label: string }[] = [
  { value: "ID", label: "ID" },
  { value: "CREATED_AT", label: "Created" },
  { value: "UPDATED_AT", label: "Updated" },
  { value: "ANNOTATION_COUNT", label: "Annotation count" },
];

const filters: { value: FilterChoice; label: string }[] = [
  { value: "all", label: "All" },
  { value: "labeled", label: "Labeled" },
  { value: "unlabeled", label: "Unlabeled" },
  { value: "skipped", label: "Skipped" },
];

/** The server takes searches of 1 to 200 characters. */
const maxSearch = 200;

const reviewStates: { value: ReviewState | ""; label: string }[] = [
  { value: "", label: "Any" },
  { value: "PENDING", label: "Pending" },
  { value: "ACCEPTED", label: "Accepted" },
  { value: "REJECTED", label: "Rejected" },
];

/**
 * A filter on one column: a data key ("data:<key>", the value contains the
 * text), a label ("label", exact), or a lower bound on a number column.
 */
interface ColumnFilter {
  column: string;
  value: string;
}

/** The non-data columns a column filter can name. */
const filterColumns: { value: string; label: string; placeholder: string }[] = [
  { value: "label", label: "Label (exact)", placeholder: "A label, e.g. Positive" },
  { value: "annotationsMin", label: "Annotations, at least", placeholder: "A number" },
  { value: "annotationsMax", label: "Annotations, at most", placeholder: "A number" },
  { value: "predictionScoreMin", label: "Prediction score, at least", placeholder: "e.g. 0.5" },
  { value: "predictionScoreMax", label: "Prediction score, at most", placeholder: "e.g. 0.5" },
];

function applyColumnFilter(filter: TaskFilter, c: ColumnFilter): void {
  const value = c.value.trim().slice(0, maxSearch);
  if (!c.column || !value) return;
  if (c.column.startsWith("data:")) {
    filter.data = [{ key: c.column.slice("data:".length), contains: value }];
    return;
  }
  const n = Number(value);
  switch (c.column) {
    case "label":
      filter.label = value;
      break;
    case "annotationsMin":
    case "annotationsMax":
      if (Number.isInteger(n)) filter[c.column] = n;
      break;
    case "predictionScoreMin":
    case "predictionScoreMax":
      if (Number.isFinite(n)) filter[c.column] = n;
      break;
  }
}

function taskFilter(
  choice: FilterChoice,
  annotator: string,
  search: string,
  reviewState: ReviewState | "",
  column: ColumnFilter,
): TaskFilter | null {
  const filter: TaskFilter = {};
  applyColumnFilter(filter, column);
  if (reviewState) filter.reviewState = reviewState;
  if (search) filter.search = search;
  if (choice === "labeled") filter.labeled = true;
  if (choice === "unlabeled") filter.labeled = false;
  if (choice === "skipped") filter.skipped = true;
  if (annotator) filter.annotator = annotator;
  return Object.keys(filter).length > 0 ? filter : null;
}

/** The most data columns shown: the config's keys, then others the page's tasks hold. */
const maxDataColumns = 30;

/** hiddenColumnsKey is where the viewer's hidden columns of a project are remembered. */
function hiddenColumnsKey(userId: string, projectId: string): string {
  return `gloss.dataManager.hiddenColumns.${userId}.${projectId}`;
}

function loadHidden(key: string): Set<string> {
  try {
    const saved: unknown = JSON.parse(window.localStorage.getItem(key) ?? "[]");
    return new Set(Array.isArray(saved) ? saved.filter((k): k is string => typeof k === "string") : []);
  } catch {
    return new Set();
  }
}

function truncate(text: string, most: number): string {
  return text.length > most ? `${text.slice(0, most - 1)}…` : text;
}

function DataCell({ value, image, alt, taskId }: { value: JsonValue | undefined; image: boolean; alt: string; taskId?: string | undefined }) {
  const url = typeof value === "string" && (image || value.startsWith("data:image/")) ? safeImageUrl(value, taskId) : null;
  if (url) {
    return <img className="thumb" src={url} alt={alt} loading="lazy" referrerPolicy="no-referrer" />;
  }
  const text = asText(value);
  return (
    <span className="cell-data" title={text.length > 80 ? truncate(text, 500) : undefined}>
      {truncate(text, 80)}
    </span>
  );
}

interface DataManagerProps {
  project: Project;
  canManage: boolean;
  /** Reviewers and up filter by review state. */
  canReview: boolean;
  onImport(): void;
}

/** The summary columns, shown when picked (hidden by default). */
const summaryColumns: { key: string; label: string; cell(task: DataManagerRow): string }[] = [
  { key: "@labels", label: "Labels", cell: (t) => t.labels.join(", ") },
  { key: "@reviewStates", label: "Reviews", cell: (t) => t.reviewStates.map((s) => s.toLowerCase()).join(", ") },
  { key: "@predictionScore", label: "Prediction score", cell: (t) => (t.predictionScore === null ? "" : t.predictionScore.toFixed(2)) },
  { key: "@annotators", label: "Annotators", cell: (t) => (t.annotators ?? []).map((u) => u.displayName).join(", ") },
];

/** A bulk action waiting for confirmation. */
type BulkAction = "deleteTasks" | "deleteAnnotations";

export function DataManager({ project, canManage, canReview, onImport }: DataManagerProps) {
  const [field, setField] = useState<TaskOrderField>("ID");
  const [direction, setDirection] = useState<OrderDirection>("ASC");
  const [filter, setFilter] = useState<FilterChoice>("all");
  const [annotator, setAnnotator] = useState("");
  const [reviewState, setReviewState] = useState<ReviewState | "">("");
  const [searchText, setSearchText] = useState("");
  const [search, setSearch] = useState("");
  // The column filter as typed, and as applied once typing pauses.
  const [columnDraft, setColumnDraft] = useState<ColumnFilter>({ column: "", value: "" });
  const [column, setColumn] = useState<ColumnFilter>({ column: "", value: "" });
  const currentFilter = taskFilter(filter, annotator, search, canReview ? reviewState : "", column);
  // One page at a time; a new order or filter starts again from the first.
  // The selection: the ticked tasks, or (allMatching) every task the filter matches.
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const [allMatching, setAllMatching] = useState(false);
  const [confirming, setConfirming] = useState<BulkAction | null>(null);
  const [bulkError, setBulkError] = useState<unknown>(null);
  const [bulkDone, setBulkDone] = useState("");
  // The task open in the quick view beside the list.
  const [quick, setQuick] = useState<string | null>(null);
  const rowIds = useRef<string[]>([]);
  // Where each task seen in this view stands in its order, so that Label
  // selected walks ticked tasks from several pages in the data manager's order.
  const positions = useRef(new Map<string, number>());
  const [walkPending, setWalkPending] = useState(false);
  const deleteTasks = useMutation(DeleteTasksMutation);
  const deleteAnnotations = useMutation(DeleteAnnotationsMutation);
  const bulkPending = deleteTasks.pending || deleteAnnotations.pending;
  const members = useQuery(MembersQuery, { first: 100, after: null, isAdmin: false });
  const imageKeys = useMemo(
    () => parseLabelConfig(project.labelConfig).config?.imageKeys ?? new Set<string>(),
    [project.labelConfig],
  );
  const base = `/projects/${encodeURIComponent(project.id)}`;
  const viewer = useViewer();
  const storageKey = hiddenColumnsKey(viewer.id, project.id);
  const [hidden, setHidden] = useState<Set<string>>(() => loadHidden(storageKey));
  useEffect(() => setHidden(loadHidden(storageKey)), [storageKey]);
  // Who annotated is read only while its column is shown.
  const tasks = usePagedQuery(
    TasksQuery,
    {
      projectId: project.id,
      filter: currentFilter,
      orderBy: { field, direction },
      withAnnotators: hidden.has("+@annotators"),
    },
    { pageSize, mode: "pages", connection: (data) => data.tasks },
  );
  function toggleColumn(key: string, shown: boolean) {
    const next = new Set(hidden);
    if (shown) next.delete(key);
    else next.add(key);
    setHidden(next);
    try {
      window.localStorage.setItem(storageKey, JSON.stringify([...next]));
    } catch {
      // Storage full or disabled: the choice lasts for this page only.
    }
  }

  function clearSelection() {
    setSelected(new Set());
    setAllMatching(false);
    setConfirming(null);
  }

  // A new order or filter starts again from the first page (the query's
  // variables change), with nothing selected.
  function changeView(change: () => void) {
    change();
    clearSelection();
    positions.current.clear();
  }

  function toggleTask(id: string, on: boolean) {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
    setAllMatching(false);
  }

  async function runBulk(action: BulkAction) {
    if (bulkPending) return;
    setBulkError(null);
    setBulkDone("");
    const variables = {
      projectId: project.id,
      ids: allMatching ? null : [...selected],
      all: allMatching ? true : null,
      filter: allMatching ? currentFilter : null,
    };
    try {
      if (action === "deleteTasks") {
        const n = (await deleteTasks.run(variables)).deleteTasks;
        setBulkDone(`Deleted ${count(n, "task")}.`);
        tasks.restart();
      } else {
        const n = (await deleteAnnotations.run(variables)).deleteAnnotations;
        setBulkDone(`Deleted ${count(n, "annotation")}.`);
        tasks.reload();
      }
      clearSelection();
    } catch (err) {
      setBulkError(err);
      setConfirming(null);
    }
  }

  // Search once typing pauses, not on every key.
  useEffect(() => {
    const wanted = searchText.trim().slice(0, maxSearch);
    if (wanted === search) return;
    const timer = window.setTimeout(() => setSearch(wanted), 300);
    return () => window.clearTimeout(timer);
  }, [searchText, search]);
  useEffect(() => {
    if (columnDraft.column === column.column && columnDraft.value === column.value) return;
    const timer = window.setTimeout(() => changeView(() => setColumn(columnDraft)), 300);
    return () => window.clearTimeout(timer);
  });

  const page = tasks.page;
  const rows: DataManagerRow[] = tasks.nodes;
  // Every data key: the config's, then the others this page's tasks hold.
  const allKeys = [...project.dataKeys];
  for (const task of rows) {
    if (task.data === null || typeof task.data !== "object" || Array.isArray(task.data)) continue;
    for (const key of Object.keys(task.data)) {
      if (allKeys.length >= maxDataColumns) break;
      if (!allKeys.includes(key)) allKeys.push(key);
    }
  }
  const keys = allKeys.filter((key) => !hidden.has(key));
  // Summary columns are off unless picked: the remembered set holds "+key" for them.
  const summaries = summaryColumns.filter((c) => hidden.has(`+${c.key}`));
  const first = tasks.pageIndex * pageSize + 1;
  rowIds.current = rows.map((task) => task.id);
  rows.forEach((task, i) => positions.current.set(task.id, first - 1 + i));
  const pageSelected = rows.length > 0 && rows.every((task) => selected.has(task.id));
  const selectedCount = allMatching ? (page?.totalCount ?? 0) : selected.size;

  /**
   * labelSelected starts a walk over the selection on the task page: the
   * ticked tasks in the data manager's order, or every task matching the
   * filter, read a page at a time as the walk goes.
   */
  async function labelSelected() {
    if (walkPending) return;
    setBulkError(null);
    setBulkDone("");
    const at = (id: string) => positions.current.get(id) ?? Number.MAX_SAFE_INTEGER;
    if (!allMatching) {
      // Sorting is stable: tasks of unknown place keep the order they were ticked in.
      openWalk(viewer.id, walkOfIds(project.id, [...selected].sort((a, b) => at(a) - at(b))));
      return;
    }
    setWalkPending(true);
    try {
      const walk = await walkOfQuery(project.id, currentFilter, { field, direction });
      if (walk.ids.length === 0) {
        setBulkDone("No tasks match these filters any more.");
        return;
      }
      openWalk(viewer.id, walk);
    } catch (err) {
      setBulkError(err);
    } finally {
      setWalkPending(false);
    }
  }

  function openRow(event: MouseEvent<HTMLTableRowElement>, task: DataManagerRow) {
    // Links and buttons in the row do their own thing.
    if (event.target instanceof Element && event.target.closest("a, button, input, select")) return;
    if (window.getSelection()?.isCollapsed === false) return;
    setQuick(task.id);
  }

  // Up and down move the quick view through the page's rows.
  useEffect(() => {
    if (quick === null) return;
    function onKey(event: KeyboardEvent) {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      if (event.target instanceof Element && event.target.closest("input, select, textarea")) return;
      const ids = rowIds.current;
      const at = ids.indexOf(quick ?? "");
      const next = ids[at + (event.key === "ArrowDown" ? 1 : -1)];
      if (at < 0 || next === undefined) return;
      event.preventDefault();
      setQuick(next);
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [quick]);

  return (
    <section className="card data-manager" aria-labelledby="data-manager-heading">
      <h2 id="data-manager-heading" className="visually-hidden">
        Tasks
      </h2>
      <div className="toolbar">
        <div className="field toolbar-search">
          <label htmlFor="dm-search">Search</label>
          <input
            id="dm-search"
            type="search"
            value={searchText}
            maxLength={maxSearch}
            placeholder="Text in the task data"
            onChange={(e) => setSearchText(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="dm-sort">Sort by</label>
          <select id="dm-sort" value={field} onChange={(e) => changeView(() => setField(e.target.value as TaskOrderField))}>
            {sortFields.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
        <Button
          className="toolbar-toggle"
          aria-pressed={direction === "DESC"}
          onClick={() => changeView(() => setDirection(direction === "DESC" ? "ASC" : "DESC"))}
        >
          Descending
        </Button>
        <div className="field">
          <label htmlFor="dm-filter">Filter</label>
          <select
            id="dm-filter"
            value={filter}
            onChange={(e) => changeView(() => setFilter(e.target.value as FilterChoice))}
          >
            {filters.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="dm-column-filter">Column</label>
          <select
            id="dm-column-filter"
            value={columnDraft.column}
            onChange={(e) => setColumnDraft({ column: e.target.value, value: columnDraft.value })}
          >
            <option value="">No column filter</option>
            {allKeys.map((key) => (
              <option key={key} value={`data:${key}`}>
                {key} (contains)
              </option>
            ))}
            {filterColumns.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        {columnDraft.column ? (
          <div className="field">
            <label htmlFor="dm-column-value">Value</label>
            <input
              id="dm-column-value"
              type="search"
              value={columnDraft.value}
              maxLength={maxSearch}
              placeholder={filterColumns.find((c) => c.value === columnDraft.column)?.placeholder ?? "Text in this column"}
              onChange={(e) => setColumnDraft({ column: columnDraft.column, value: e.target.value })}
            />
          </div>
        ) : null}
        {canReview ? (
          <div className="field">
            <label htmlFor="dm-review-state">Review state</label>
            <select
              id="dm-review-state"
              value={reviewState}
              onChange={(e) => changeView(() => setReviewState(e.target.value as ReviewState | ""))}
            >
              {reviewStates.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        {allKeys.length > 0 || rows.length > 0 ? (
          <details className="field column-picker">
            <summary>Columns</summary>
            <fieldset>
              <legend className="visually-hidden">Data columns shown</legend>
              {allKeys.map((key) => (
                <label key={key}>
                  <input
                    type="checkbox"
                    checked={!hidden.has(key)}
                    onChange={(e) => toggleColumn(key, e.target.checked)}
                  />{" "}
                  {key}
                </label>
              ))}
              {summaryColumns.map((c) => (
                <label key={c.key}>
                  <input
                    type="checkbox"
                    checked={hidden.has(`+${c.key}`)}
                    onChange={(e) => toggleColumn(`+${c.key}`, !e.target.checked)}
                  />{" "}
                  {c.label}
                </label>
              ))}
            </fieldset>
          </details>
        ) : null}
        {canReview && members.data ? (
          <div className="field">
            <label htmlFor="dm-annotator">Annotator</label>
            <select id="dm-annotator" value={annotator} onChange={(e) => changeView(() => setAnnotator(e.target.value))}>
              <option value="">Anyone</option>
              {members.data.members.edges.map(({ node }) => (
                <option key={node.user.id} value={node.user.id}>
                  {node.user.displayName}
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </div>

      {!page ? (
        tasks.loading ? (
          <Loading label="Loading tasks…" />
        ) : (
          <>
            <ErrorAlert error={tasks.error} />
            <div className="actions">
              <Button onClick={tasks.reload}>Try again</Button>
            </div>
          </>
        )
      ) : rows.length === 0 ? (
        <div className="empty-state">
          {project.taskCount === 0 ? (
            <>
              <p>This project has no tasks yet.</p>
              {canManage ? (
                <Button variant="primary" onClick={onImport}>
                  Import tasks
                </Button>
              ) : null}
            </>
          ) : (
            <p>No tasks match these filters.</p>
          )}
        </div>
      ) : (
        <>
          <ErrorAlert error={tasks.error} />
          {canManage ? (
            <div className="toolbar bulk-bar" role="group" aria-label="Selected tasks">
              <p className="muted" aria-live="polite">
                {selectedCount > 0 ? `${count(selectedCount, "task")} selected` : "No tasks selected"}
              </p>
              {pageSelected && !allMatching && page.totalCount > rows.length ? (
                <Button onClick={() => setAllMatching(true)}>Select all {count(page.totalCount, "matching task")}</Button>
              ) : null}
              {selectedCount > 0 ? (
                <>
                  <Button onClick={() => void labelSelected()} pending={walkPending}>
                    Label selected
                  </Button>
                  <Button onClick={() => setConfirming("deleteAnnotations")} disabled={bulkPending}>
                    Delete annotations
                  </Button>
                  <Button onClick={() => setConfirming("deleteTasks")} disabled={bulkPending}>
                    Delete tasks
                  </Button>
                  <Button onClick={clearSelection}>Clear selection</Button>
                </>
              ) : null}
            </div>
          ) : null}
          {confirming ? (
            <div className="confirm" role="alertdialog" aria-labelledby="dm-confirm-text">
              <p id="dm-confirm-text">
                {confirming === "deleteTasks"
                  ? `Delete ${count(selectedCount, "task")} with their annotations and predictions? This cannot be undone.`
                  : `Delete every annotation of ${count(selectedCount, "task")}? This cannot be undone.`}
              </p>
              <div className="actions">
                <Button variant="danger" onClick={() => void runBulk(confirming)} disabled={bulkPending}>
                  {confirming === "deleteTasks" ? "Yes, delete tasks" : "Yes, delete annotations"}
                </Button>
                <Button onClick={() => setConfirming(null)}>Cancel</Button>
              </div>
            </div>
          ) : null}
          <ErrorAlert error={bulkError} />
          {bulkDone ? (
            <p role="status" className="muted">
              {bulkDone}
            </p>
          ) : null}
          <div className={quick ? "dm-split" : undefined}>
          <div className="table-wrap" aria-busy={tasks.loading || undefined}>
            <table className="table table-tasks">
              <caption className="visually-hidden">Tasks of {project.title}</caption>
              <thead>
                <tr>
                  <th scope="col">
                    {canManage ? (
                      <input
                        type="checkbox"
                        className="row-select"
                        aria-label="Select this page"
                        checked={pageSelected}
                        onChange={(e) => {
                          const next = new Set(selected);
                          for (const task of rows) {
                            if (e.target.checked) next.add(task.id);
                            else next.delete(task.id);
                          }
                          setSelected(next);
                          setAllMatching(false);
                        }}
                      />
                    ) : null}
                    ID
                  </th>
                  {keys.length > 0 ? (
                    keys.map((key) => (
                      <th key={key} scope="col">
                        {key}
                      </th>
                    ))
                  ) : (
                    <th scope="col">Data</th>
                  )}
                  {summaries.map((c) => (
                    <th key={c.key} scope="col">
                      {c.label}
                    </th>
                  ))}
                  <th scope="col">Annotations</th>
                  <th scope="col">Skipped</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((task) => {
                  const data =
                    task.data !== null && typeof task.data === "object" && !Array.isArray(task.data) ? task.data : null;
                  return (
                    <tr
                      key={task.id}
                      className={task.id === quick ? "row-link row-current" : "row-link"}
                      aria-current={task.id === quick || undefined}
                      onClick={(event) => openRow(event, task)}
                    >
                      <td>
                        {canManage ? (
                          <input
                            type="checkbox"
                            className="row-select"
                            aria-label={`Select task ${task.id}`}
                            checked={allMatching || selected.has(task.id)}
                            onChange={(e) => toggleTask(task.id, e.target.checked)}
                          />
                        ) : null}
                        <Link to={`${base}/tasks/${encodeURIComponent(task.id)}`} aria-label={`Open task ${task.id}`}>
                          {task.id}
                        </Link>
                      </td>
                      {keys.length > 0 ? (
                        keys.map((key) => (
                          <td key={key}>
                            <DataCell
                              value={data ? data[key] : undefined}
                              image={imageKeys.has(key)}
                              taskId={task.id}
                              alt={`Task ${task.id} ${key}`}
                            />
                          </td>
                        ))
                      ) : (
                        <td>
                          <DataCell value={task.data} image={false} alt="" />
                        </td>
                      )}
                      {summaries.map((c) => (
                        <td key={c.key}>{c.cell(task)}</td>
                      ))}
                      <td>{task.totalAnnotations}</td>
                      <td>{task.cancelledAnnotations}</td>
                      <td>
                        <time dateTime={task.updatedAt}>{formatDateTime(task.updatedAt)}</time>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {quick ? <QuickView projectId={project.id} taskId={quick} onClose={() => setQuick(null)} /> : null}
          </div>
          <div className="table-footer">
            <p className="muted">
              Showing {first}–{first + rows.length - 1} of {count(page.totalCount, "task")}
            </p>
            <div className="actions">
              <Button onClick={tasks.previous} disabled={tasks.pageIndex === 0 || tasks.loading}>
                Previous page
              </Button>
              <Button onClick={tasks.next} disabled={!page.pageInfo.hasNextPage || tasks.loading}>
                Next page
              </Button>
            </div>
          </div>
        </>
      )}
    </section>
  );
}
