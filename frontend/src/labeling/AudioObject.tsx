// An Audio object: the task's audio in an <audio> element (its URL through
// safeMediaUrl, the rule images follow), with a timeline bar under it where
// a segment is made by dragging, for the label chosen above. Segments are
// Label Studio's: value {start, end, channel} in seconds, with the labels
// under "labels". A TextArea with perRegion="true" on this audio becomes a
// transcription box for the selected segment, stored as Label Studio stores
// it: a textarea item carrying the segment's id and times. The timeline
// shows the audio's waveform when its bytes can be read: a data:audio URL,
// or a file on this origin (an upload, the data proxy), fetched from the URL
// the player uses and decoded with the Web Audio API; audio on other hosts
// plays without one, as the page may connect only to its own origin.
import { useEffect, useId, useRef, useState, type FormEvent, type PointerEvent } from "react";

import { Field } from "../components/Field.tsx";
import { attr, controlLabel, isTrue, objectValue, safeMediaUrl, type ObjectInfo } from "./config.ts";
import { useEditor } from "./context.ts";
import { colorStyle } from "./controls.tsx";
import { isRegion, isRelation, labelsOf, num, strings, type RegionItem } from "./result.ts";

function seconds(n: number): string {
  return `${Math.round(n * 100) / 100}`;
}

/** Audio larger than this is played but not drawn: decoding holds the whole signal in memory. */
const maxWaveformBytes = 32 << 20;
/** The rate audio is decoded at for drawing: enough for its outline, a quarter of a CD's memory. */
const waveformRate = 12000;
/** How many (min, max) pairs a waveform keeps, whatever the audio's length. */
const peakCount = 2048;

/**
 * audioBytes reads the audio behind url for drawing: the bytes of a base64
 * data:audio URL, or a same-origin file fetched with the page's cookies;
 * null for anything else, or anything larger than maxWaveformBytes.
 */
async function audioBytes(url: string, signal: AbortSignal): Promise<ArrayBuffer | null> {
  const data = /^data:audio\/[a-z0-9.+-]+(?:;[^,;]*)*;base64,/i.exec(url);
  if (data) {
    const body = url.slice(data[0].length);
    if ((body.length * 3) / 4 > maxWaveformBytes) return null;
    const binary = atob(body);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }
  if (new URL(url, window.location.href).origin !== window.location.origin) return null;
  const response = await fetch(url, { credentials: "same-origin", signal });
  const length = Number(response.headers.get("Content-Length") ?? "0");
  if (!response.ok || length > maxWaveformBytes) return null;
  const bytes = await response.arrayBuffer();
  return bytes.byteLength > maxWaveformBytes ? null : bytes;
}

/** peaksOf reduces decoded audio to count (min, max) pairs over all its channels. */
function peaksOf(audio: AudioBuffer, count: number): Float32Array {
  const peaks = new Float32Array(count * 2);
  const channels = Array.from({ length: audio.numberOfChannels }, (_, c) => audio.getChannelData(c));
  for (let k = 0; k < count; k++) {
    const from = Math.floor((k * audio.length) / count);
    const to = Math.max(from + 1, Math.floor(((k + 1) * audio.length) / count));
    let low = 0;
    let high = 0;
    for (const samples of channels) {
      for (let i = from; i < to && i < samples.length; i++) {
        const v = samples[i] ?? 0;
        if (v < low) low = v;
        if (v > high) high = v;
      }
    }
    peaks[k * 2] = low;
    peaks[k * 2 + 1] = high;
  }
  return peaks;
}

/** drawPeaks draws peaks over the canvas's width, a bar per pixel column, in the canvas's CSS color. */
function drawPeaks(canvas: HTMLCanvasElement, peaks: Float32Array) {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  if (!context) return;
  context.clearRect(0, 0, width, height);
  context.fillStyle = getComputedStyle(canvas).color;
  const count = peaks.length / 2;
  const middle = height / 2;
  for (let x = 0; x < width; x++) {
    const from = Math.floor((x * count) / width);
    const to = Math.max(from + 1, Math.floor(((x + 1) * count) / width));
    let low = 0;
    let high = 0;
    for (let k = from; k < to; k++) {
      low = Math.min(low, peaks[k * 2] ?? 0);
      high = Math.max(high, peaks[k * 2 + 1] ?? 0);
    }
    // Silence is a hairline, so the middle of the timeline always shows.
    const top = Math.floor(middle - high * middle);
    const bottom = Math.ceil(middle - low * middle);
    context.fillRect(x, Math.min(top, Math.floor(middle)), 1, Math.max(1, bottom - top));
  }
}

/** Waveform draws the audio at url on a canvas filling the timeline, under the segments; nothing when it cannot be read. */
function Waveform({ url }: { url: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [peaks, setPeaks] = useState<Float32Array | null>(null);

  useEffect(() => {
    setPeaks(null);
    const abort = new AbortController();
    void (async () => {
      try {
        const bytes = await audioBytes(url, abort.signal);
        if (!bytes || abort.signal.aborted) return;
        const audio = await new OfflineAudioContext(1, 1, waveformRate).decodeAudioData(bytes);
        if (!abort.signal.aborted) setPeaks(peaksOf(audio, peakCount));
      } catch {
        // Undecodable, refused or gone: the timeline works without a waveform.
      }
    })();
    return () => abort.abort();
  }, [url]);

  useEffect(() => {
    const element = canvas.current;
    if (!element || !peaks) return;
    drawPeaks(element, peaks);
    const observer = new ResizeObserver(() => drawPeaks(element, peaks));
    observer.observe(element);
    return () => observer.disconnect();
  }, [peaks]);

  return peaks ? <canvas ref={canvas} className="lc-audio-waveform" aria-label="Waveform" role="img" /> : null;
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

  function readDuration(element: HTMLAudioElement) {
    const d = element.duration;
    setDuration(Number.isFinite(d) && d > 0 ? d : null);
  }

  // A short data:audio URL can load its metadata before React has committed
  // the element, and React drops events on elements it has not committed:
  // read the duration from the element once it is on the page as well.
  useEffect(() => {
    const element = audio.current;
    if (element && element.readyState >= HTMLMediaElement.HAVE_METADATA) readDuration(element);
  }, [url]);

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
        onLoadedMetadata={(event) => readDuration(event.currentTarget)}
      />
      <div
        ref={bar}
        className="lc-audio-timeline"
        role="group"
        aria-label={`Audio timeline (${object.name})`}
        style={{ position: "relative", height: "4rem", background: "var(--surface-2, #eef)", cursor: canLabel ? "crosshair" : "default", userSelect: "none", touchAction: "none" }}
        onPointerDown={handlePointerDown}
        onPointerMove={handlePointerMove}
        onPointerUp={handlePointerUp}
        onPointerCancel={() => setDrag(null)}
      >
        <Waveform url={url} />
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
              <span className="lc-audio-segment-label">{labels.join(", ")}</span>
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
        <div className="lc-control lc-textarea lc-audio-transcript">
          <div className="field">
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
        </div>
      ) : null}
    </div>
  );
}
