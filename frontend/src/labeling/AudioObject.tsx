// An Audio object: the task's audio in an <audio> element (its URL through
// safeMediaUrl, the rule images follow), with a timeline bar under it where
// a segment is made by dragging, for the label chosen above. Segments are
// Label Studio's: value {start, end, channel} in seconds, with the labels
// under "labels". A TextArea with perRegion="true" on this audio becomes a
// transcription box for the selected segment, stored as Label Studio stores
// it: a textarea item carrying the segment's id and times.
import { useId, useRef, useState, type FormEvent, type PointerEvent } from "react";

import { Field } from "../components/Field.tsx";
import { attr, controlLabel, isTrue, objectValue, safeMediaUrl, type ObjectInfo } from "./config.ts";
import { useEditor } from "./context.ts";
import { colorStyle } from "./controls.tsx";
import { isRegion, isRelation, labelsOf, num, strings, type RegionItem } from "./result.ts";

function seconds(n: number): string {
  return `${Math.round(n * 100) / 100}`;
}

export function AudioObject({ object }: { object: ObjectInfo }) {
  const editor = useEditor();
  const url = safeMediaUrl(objectValue(object.value, editor.data), editor.taskId);
  const audio = useRef<HTMLAudioElement>(null);
  const bar = useRef<HTMLDivElement>(null);
  const [duration, setDuration] = useState<number | null>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const transcriptId = useId();
  const canLabel =
    !editor.readOnly && editor.config.controls.some((c) => c.tag === "Labels" && c.toName.includes(object.name));
  const transcript = editor.config.controls.find(
    (c) => c.tag === "TextArea" && isTrue(attr(c.node, "perRegion")) && c.toName.includes(object.name),
  );

  if (url === null) {
    return (
      <p className="message message-error lc-object" role="alert">
        This audio URL is not allowed. Audio loads only from http(s) and data:audio URLs and Gloss uploads.
      </p>
    );
  }

  const segments = editor.result.filter(
    (item): item is RegionItem => isRegion(item) && item.type === "labels" && item.to_name === object.name && !editor.hidden.has(item.id),
  );
  const selected = segments.find((s) => s.id === editor.selected) ?? null;

  function timeAt(clientX: number): number | null {
    const box = bar.current?.getBoundingClientRect();
    if (!box || box.width === 0 || duration === null) return null;
    return Math.min(duration, Math.max(0, ((clientX - box.left) / box.width) * duration));
  }

  function addSegment(from: number, to: number): boolean {
    const [s, e] = [Math.min(from, to), Math.max(from, to)];
    if (e - s <= 0) return false;
    const round = (n: number) => Math.round(n * 1000) / 1000;
    return editor.addRegion(object.name, ["Labels"], { start: round(s), end: round(e), channel: 0 });
  }

  function handlePointerDown(event: PointerEvent<HTMLDivElement>) {
    if (!canLabel || event.button !== 0 || event.target !== bar.current) return;
    const t = timeAt(event.clientX);
    if (t === null) return;
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    setDrag({ from: t, to: t });
  }

  function handlePointerMove(event: PointerEvent<HTMLDivElement>) {
    if (!drag) return;
    const t = timeAt(event.clientX);
    if (t !== null) setDrag({ ...drag, to: t });
  }

  function handlePointerUp(event: PointerEvent<HTMLDivElement>) {
    if (!drag) return;
    const t = timeAt(event.clientX) ?? drag.to;
    setDrag(null);
    const box = bar.current?.getBoundingClientRect();
    // A click, or a drag of a pixel or two, is not a segment: it moves the playhead.
    if (!box || duration === null || (Math.abs(t - drag.from) / duration) * box.width < 3) {
      if (audio.current) audio.current.currentTime = t;
      return;
    }
    addSegment(drag.from, t);
  }

  function handleAdd(event: FormEvent) {
    event.preventDefault();
    const [s, e] = [Number(start), Number(end)];
    const limit = duration ?? Infinity;
    if (start.trim() === "" || end.trim() === "" || !(s >= 0) || !(e > s) || e > limit) {
      editor.notify(`Start and End are seconds with 0 ≤ Start < End${duration === null ? "" : ` ≤ ${seconds(duration)}`}.`);
      return;
    }
    if (addSegment(s, e)) {
      setStart("");
      setEnd("");
    }
  }

  const left = (t: number) => `${duration ? (t / duration) * 100 : 0}%`;
  const width = (a: number, b: number) => `${duration ? (Math.abs(b - a) / duration) * 100 : 0}%`;

  // The transcription of the selected segment, kept with the segment's id.
  const transcriptItem =
    transcript && selected
      ? editor.result.find(
          (item): item is RegionItem => !isRelation(item) && item.from_name === transcript.name && item.id === selected.id,
        )
      : undefined;
  const transcriptText = transcriptItem ? strings(transcriptItem.value.text).join("\n") : "";
  function setTranscript(text: string) {
    if (!transcript || !selected) return;
    const region = selected;
    editor.update((result) => {
      const rest = result.filter(
        (item) => isRelation(item) || item.from_name !== transcript.name || item.id !== region.id,
      );
      if (text === "") return rest;
      return [
        ...rest,
        {
          id: region.id,
          from_name: transcript.name,
          to_name: object.name,
          type: "textarea",
          value: { start: region.value.start ?? 0, end: region.value.end ?? 0, channel: region.value.channel ?? 0, text: [text] },
          origin: "manual",
        },
      ];
    }, `transcript:${region.id}`);
  }

  return (
    <div className="lc-object lc-audio-object">
      <audio
        ref={audio}
        src={url}
        controls
        preload="metadata"
        aria-label={`Audio to label (${object.name})`}
        onLoadedMetadata={(event) => {
          const d = event.currentTarget.duration;
          setDuration(Number.isFinite(d) && d > 0 ? d : null);
        }}
      />
      <div
        ref={bar}
        className="lc-audio-timeline"
        role="group"
        aria-label={`Audio timeline (${object.name})`}
        style={{ position: "relative", height: "2.5rem", background: "var(--surface-2, #eef)", cursor: canLabel ? "crosshair" : "default", userSelect: "none", touchAction: "none" }}
        onPointerDown={handlePointerDown}
        onPointerMove={handlePointerMove}
        onPointerUp={handlePointerUp}
        onPointerCancel={() => setDrag(null)}
      >
        {segments.map((s) => {
          const [a, b] = [num(s.value.start), num(s.value.end)];
          if (a === null || b === null) return null;
          const labels = labelsOf(s);
          const isSelected = s.id === editor.selected;
          return (
            <button
              key={s.id}
              type="button"
              className={isSelected ? "lc-audio-segment lc-span-selected" : "lc-audio-segment"}
              data-region-id={s.id}
              aria-pressed={isSelected}
              aria-label={`Segment ${seconds(a)}–${seconds(b)} s: ${labels.join(", ")}`}
              style={{
                ...colorStyle(editor.colorOf(s.from_name, labels[0] ?? "")),
                position: "absolute",
                top: isSelected ? 0 : "0.25rem",
                bottom: isSelected ? 0 : "0.25rem",
                left: left(a),
                width: width(a, b),
                minWidth: "2px",
                padding: 0,
                overflow: "hidden",
                fontSize: "0.75rem",
                background: "color-mix(in srgb, var(--label-color, #2563eb) 35%, transparent)",
                border: `${isSelected ? 2 : 1}px solid var(--label-color, #2563eb)`,
              }}
              onClick={() => {
                editor.select(isSelected ? null : s.id);
                if (!isSelected && audio.current) audio.current.currentTime = a;
              }}
            >
              {labels.join(", ")}
            </button>
          );
        })}
        {drag ? (
          <div
            className="lc-audio-draft"
            style={{ position: "absolute", top: 0, bottom: 0, left: left(Math.min(drag.from, drag.to)), width: width(drag.from, drag.to), background: "rgba(37, 99, 235, 0.25)", pointerEvents: "none" }}
          />
        ) : null}
      </div>
      {canLabel ? (
        <form className="lc-span-form" onSubmit={handleAdd} aria-label={`Add a segment by times (${object.name})`}>
          <Field
            id={`${editor.idPrefix}-${object.name}-seg-start`}
            label="Start (s)"
            type="number"
            inputMode="decimal"
            step="any"
            min={0}
            value={start}
            onValueChange={setStart}
          />
          <Field
            id={`${editor.idPrefix}-${object.name}-seg-end`}
            label="End (s)"
            type="number"
            inputMode="decimal"
            step="any"
            min={0}
            value={end}
            onValueChange={setEnd}
          />
          <button type="submit" className="button button-secondary">
            Add segment
          </button>
          <p className="field-hint">
            Choose a label, then drag along the timeline (or type the times) to make a segment; click a segment to
            select it and play from its start.
          </p>
        </form>
      ) : null}
      {transcript && selected && !editor.readOnly ? (
        <div className="lc-control lc-textarea">
          <label htmlFor={transcriptId}>
            {controlLabel(transcript)} for the segment {seconds(num(selected.value.start) ?? 0)}–
            {seconds(num(selected.value.end) ?? 0)} s
          </label>
          <textarea
            id={transcriptId}
            rows={2}
            value={transcriptText}
            onChange={(event) => setTranscript(event.currentTarget.value)}
          />
        </div>
      ) : null}
    </div>
  );
}
