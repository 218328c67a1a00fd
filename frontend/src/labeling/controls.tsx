// The controls that answer questions about an object: Choices, TextArea,
// Rating, Number, DateTime and Taxonomy, plus the label pickers of the
// region controls. Each renders native form elements, so keyboards and
// screen readers work as they do everywhere else.
import { useEffect, useId, useState, type CSSProperties, type KeyboardEvent } from "react";

import { attr, controlLabel, isTrue, type ControlInfo, type OptionInfo } from "./config.ts";
import { useEditor } from "./context.ts";
import { controlItem, maxUsagesNotice, num, setControlValue, strings, usedUp, type ResultItem } from "./result.ts";

/** colorStyle hands a (checked) label color to CSS as a custom property. */
export function colorStyle(color: string): CSSProperties {
  return { "--label-color": color } as CSSProperties;
}

/** withChoice turns a choice on or off, keeping a single-choice control to one answer. */
export function withChoice(
  result: readonly ResultItem[],
  control: ControlInfo,
  value: string,
  on: boolean,
): ResultItem[] {
  const item = controlItem(result, control);
  const current = item ? strings(item.value.choices) : [];
  let next: string[];
  if (control.choice === "single") {
    next = on ? [value] : current.filter((v) => v !== value);
  } else {
    next = on ? [...current.filter((v) => v !== value), value] : current.filter((v) => v !== value);
  }
  return setControlValue(result, control, next.length > 0 ? { choices: next } : null);
}

function Hotkey({ hotkey }: { hotkey: string | null }) {
  return hotkey ? (
    <kbd className="lc-hotkey" aria-hidden="true">
      {hotkey}
    </kbd>
  ) : null;
}

export function ChoicesControl({ control }: { control: ControlInfo }) {
  const editor = useEditor();
  const item = controlItem(editor.result, control);
  const chosen = item ? strings(item.value.choices) : [];
  const inline = isTrue(attr(control.node, "showInLine"));
  const single = control.choice === "single";
  const group = `${editor.idPrefix}-${control.name}`;
  return (
    <fieldset className="lc-control lc-choices" disabled={editor.readOnly}>
      <legend className="visually-hidden">{controlLabel(control)}</legend>
      <div className={inline ? "lc-options lc-inline" : "lc-options"}>
        {control.options.map((option) => (
          <label key={option.value} className="lc-choice">
            <input
              type={single ? "radio" : "checkbox"}
              name={group}
              value={option.value}
              checked={chosen.includes(option.value)}
              onChange={(event) => {
                const on = event.target.checked;
                editor.update((result) => withChoice(result, control, option.value, on));
              }}
              aria-keyshortcuts={option.hotkey ?? undefined}
            />
            <span>{option.label}</span>
            <Hotkey hotkey={option.hotkey} />
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** LabelsPicker shows a region control's labels as toggle buttons. */
export function LabelsPicker({ control }: { control: ControlInfo }) {
  const editor = useEditor();
  const active = editor.active[control.name] ?? [];
  return (
    <div className="lc-control lc-labels" role="group" aria-label={`${controlLabel(control)} labels`}>
      {control.options.map((option: OptionInfo) => {
        // A label used as often as it may be is greyed out, as in Label
        // Studio, unless it is chosen (so that it can be let go).
        const full = !active.includes(option.value) && usedUp(editor.result, control, [option.value]) !== null;
        return (
          <button
            key={option.value}
            type="button"
            className="lc-label"
            style={colorStyle(editor.colorOf(control.name, option.value))}
            aria-pressed={active.includes(option.value)}
            aria-keyshortcuts={option.hotkey ?? undefined}
            disabled={editor.readOnly || full}
            title={full ? maxUsagesNotice(option) : undefined}
            onClick={() => editor.chooseLabel(control, option.value)}
          >
            <span className="lc-swatch" aria-hidden="true" />
            {option.label}
            <Hotkey hotkey={option.hotkey} />
          </button>
        );
      })}
    </div>
  );
}

export function TextAreaControl({ control }: { control: ControlInfo }) {
  const editor = useEditor();
  const id = useId();
  const [draft, setDraft] = useState("");
  const item = controlItem(editor.result, control);
  const texts = item ? strings(item.value.text) : [];
  const rows = Math.min(Math.max(Number.parseInt(attr(control.node, "rows"), 10) || 1, 1), 20);
  const maxSubmissions = Number.parseInt(attr(control.node, "maxSubmissions"), 10) || Infinity;
  const editable = isTrue(attr(control.node, "editable"));
  const placeholder = attr(control.node, "placeholder");
  const full = texts.length >= maxSubmissions;

  function setTexts(next: string[], mergeKey?: string) {
    editor.update((result) => setControlValue(result, control, next.length > 0 ? { text: next } : null), mergeKey);
  }
  function add() {
    const text = draft.trim();
    if (text === "" || full) return;
    setTexts([...texts, text]);
    setDraft("");
  }
  function handleKeyDown(event: KeyboardEvent<HTMLTextAreaElement | HTMLInputElement>) {
    // Enter adds the text, as in Label Studio; Shift+Enter starts a new line.
    if (event.key === "Enter" && !event.shiftKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      add();
    }
  }

  const label = controlLabel(control);
  return (
    <div className="lc-control lc-textarea">
      {texts.length > 0 ? (
        <ul className="lc-texts" aria-label={`${label}: added texts`}>
          {texts.map((text, i) => (
            <li key={i}>
              {editable && !editor.readOnly ? (
                <input
                  type="text"
                  value={text}
                  aria-label={`${label} text ${i + 1}`}
                  onChange={(event) =>
                    setTexts(
                      texts.map((t, j) => (j === i ? event.target.value : t)),
                      `${control.name}:text:${i}`,
                    )
                  }
                />
              ) : (
                <span className="lc-text-entry">{text}</span>
              )}
              {!editor.readOnly ? (
                <button
                  type="button"
                  className="button button-danger-ghost"
                  aria-label={`Delete ${label} text ${i + 1}`}
                  onClick={() => setTexts(texts.filter((_, j) => j !== i))}
                >
                  Delete
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {!editor.readOnly && !full ? (
        <div className="field">
          <label htmlFor={id}>{label}</label>
          <div className="input-row">
            {rows > 1 ? (
              <textarea
                id={id}
                rows={rows}
                value={draft}
                placeholder={placeholder}
                onChange={(event) => setDraft(event.target.value)}
                onKeyDown={handleKeyDown}
              />
            ) : (
              <input
                id={id}
                type="text"
                value={draft}
                placeholder={placeholder}
                onChange={(event) => setDraft(event.target.value)}
                onKeyDown={handleKeyDown}
              />
            )}
            <button type="button" className="button button-secondary" onClick={add} disabled={draft.trim() === ""}>
              Add
            </button>
          </div>
          {draft.trim() !== "" ? <p className="field-hint">Press Enter or Add to keep this text.</p> : null}
        </div>
      ) : null}
    </div>
  );
}

export function RatingControl({ control }: { control: ControlInfo }) {
  const editor = useEditor();
  const item = controlItem(editor.result, control);
  const rating = item ? num(item.value.rating) : null;
  const max = Math.min(Math.max(Number.parseInt(attr(control.node, "maxRating"), 10) || 5, 1), 100);
  const group = `${editor.idPrefix}-${control.name}`;
  const stars = Array.from({ length: max }, (_, i) => i + 1);
  return (
    <fieldset className="lc-control lc-rating" disabled={editor.readOnly}>
      <legend>{controlLabel(control)}</legend>
      <div className="lc-rating-row">
        <div className="lc-stars">
          {stars.map((n) => (
            <label key={n} className={rating !== null && n <= rating ? "lc-star lc-star-on" : "lc-star"}>
              <input
                type="radio"
                className="visually-hidden"
                name={group}
                checked={rating === n}
                onChange={() => editor.update((result) => setControlValue(result, control, { rating: n }))}
              />
              <span aria-hidden="true">★</span>
              <span className="visually-hidden">{n === 1 ? "1 star" : `${n} stars`}</span>
            </label>
          ))}
        </div>
        {rating !== null && !editor.readOnly ? (
          <button
            type="button"
            className="button button-danger-ghost button-small"
            onClick={() => editor.update((result) => setControlValue(result, control, null))}
          >
            Clear rating
          </button>
        ) : null}
      </div>
    </fieldset>
  );
}

export function NumberControl({ control }: { control: ControlInfo }) {
  const editor = useEditor();
  const id = useId();
  const item = controlItem(editor.result, control);
  const stored = item ? num(item.value.number) : null;
  // The field keeps what is typed, even when it is not a number yet.
  const [text, setText] = useState(stored === null ? "" : String(stored));
  const min = attr(control.node, "min");
  const max = attr(control.node, "max");
  const step = attr(control.node, "step");

  function change(value: string) {
    setText(value);
    const n = value.trim() === "" ? Number.NaN : Number(value);
    editor.update(
      (result) => setControlValue(result, control, Number.isFinite(n) ? { number: n } : null),
      `${control.name}:number`,
    );
  }
  // Undo and redo change the stored number under the field.
  useEffect(() => {
    setText((current) => {
      const n = current.trim() === "" ? null : Number(current);
      return n === stored || (stored === null && !Number.isFinite(n)) ? current : stored === null ? "" : String(stored);
    });
  }, [stored]);
  return (
    <div className="lc-control field">
      <label htmlFor={id}>{controlLabel(control)}</label>
      <input
        id={id}
        type="number"
        className="lc-number"
        value={text}
        min={min || undefined}
        max={max || undefined}
        step={step || "any"}
        readOnly={editor.readOnly}
        onChange={(event) => change(event.target.value)}
      />
    </div>
  );
}

const dateInputTypes: Record<string, string> = {
  date: "date",
  time: "time",
  month: "month",
  year: "number",
};

export function DateTimeControl({ control }: { control: ControlInfo }) {
  const editor = useEditor();
  const id = useId();
  const item = controlItem(editor.result, control);
  const value = item && typeof item.value.datetime === "string" ? item.value.datetime : "";
  const only = attr(control.node, "only").split(",")[0]?.trim() ?? "";
  const type = dateInputTypes[only] ?? "datetime-local";
  return (
    <div className="lc-control field">
      <label htmlFor={id}>{controlLabel(control)}</label>
      <input
        id={id}
        type={type}
        className="lc-datetime"
        value={value}
        min={attr(control.node, "min") || undefined}
        max={attr(control.node, "max") || undefined}
        readOnly={editor.readOnly}
        onChange={(event) => {
          const next = event.target.value;
          editor.update((result) => setControlValue(result, control, next ? { datetime: next } : null));
        }}
      />
    </div>
  );
}

function pathKey(path: readonly string[]): string {
  return JSON.stringify(path);
}

export function TaxonomyControl({ control }: { control: ControlInfo }) {
  const editor = useEditor();
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const item = controlItem(editor.result, control);
  const raw = item?.value.taxonomy;
  const paths: string[][] = Array.isArray(raw) ? raw.map((p) => strings(p)).filter((p) => p.length > 0) : [];
  const chosen = new Set(paths.map(pathKey));
  const leafsOnly = isTrue(attr(control.node, "leafsOnly"));

  function toggle(path: string[], on: boolean) {
    editor.update((result) => {
      const current = controlItem(result, control)?.value.taxonomy;
      const list: string[][] = Array.isArray(current) ? current.map((p) => strings(p)) : [];
      const others = list.filter((p) => pathKey(p) !== pathKey(path));
      const next = on ? [...others, path] : others;
      return setControlValue(result, control, next.length > 0 ? { taxonomy: next } : null);
    });
  }
  function toggleExpanded(key: string) {
    setExpanded((current) => {
      const next = new Set(current);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  }

  function renderLevel(options: readonly OptionInfo[], parent: string[]) {
    return (
      <ul className="lc-taxonomy-level">
        {options.map((option) => {
          const path = [...parent, option.value];
          const key = pathKey(path);
          const open = expanded.has(key);
          const hasChildren = option.children.length > 0;
          const selectable = !(leafsOnly && hasChildren);
          return (
            <li key={key}>
              <div className="lc-taxonomy-row">
                {hasChildren ? (
                  <button
                    type="button"
                    className="lc-disclosure"
                    aria-expanded={open}
                    aria-label={`${open ? "Collapse" : "Expand"} ${option.label}`}
                    onClick={() => toggleExpanded(key)}
                  >
                    <span aria-hidden="true">{open ? "▾" : "▸"}</span>
                  </button>
                ) : (
                  <span className="lc-disclosure-spacer" aria-hidden="true" />
                )}
                {selectable ? (
                  <label className="lc-choice">
                    <input
                      type="checkbox"
                      checked={chosen.has(key)}
                      disabled={editor.readOnly}
                      onChange={(event) => toggle(path, event.target.checked)}
                    />
                    <span>{option.label}</span>
                  </label>
                ) : (
                  <span>{option.label}</span>
                )}
              </div>
              {hasChildren && open ? renderLevel(option.children, path) : null}
            </li>
          );
        })}
      </ul>
    );
  }

  return (
    <fieldset className="lc-control lc-taxonomy">
      <legend>{controlLabel(control)}</legend>
      {renderLevel(control.options, [])}
      {paths.length > 0 ? (
        <p className="lc-taxonomy-chosen">
          Chosen: {paths.map((p) => p.join(" / ")).join("; ")}
        </p>
      ) : null}
    </fieldset>
  );
}
