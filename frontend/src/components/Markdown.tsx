// A tiny markdown subset for project instructions, turned into React
// elements (never HTML strings): paragraphs, line breaks, bullet and numbered
// lists, "#" lines as bold lines, **bold**, *italic*, `code` and
// [links](https://...). Links go only to http(s) URLs and open in a new tab
// without an opener or referrer; anything else stays plain text.
import type { ReactNode } from "react";

type Block =
  | { kind: "paragraph"; lines: string[] }
  | { kind: "heading"; text: string }
  | { kind: "list"; ordered: boolean; items: string[] };

const bullet = /^\s*[-*+]\s+(.*)$/;
const numbered = /^\s*\d+[.)]\s+(.*)$/;
const heading = /^\s*#{1,6}\s+(.*)$/;

function blocks(source: string): Block[] {
  const out: Block[] = [];
  let current: Block | null = null;
  for (const line of source.replace(/\r\n?/g, "\n").split("\n")) {
    if (line.trim() === "") {
      current = null;
      continue;
    }
    const h = heading.exec(line);
    if (h) {
      out.push({ kind: "heading", text: h[1] ?? "" });
      current = null;
      continue;
    }
    const b = bullet.exec(line);
    const n = b ? null : numbered.exec(line);
    const item = b ?? n;
    if (item) {
      const ordered = n !== null;
      if (current?.kind !== "list" || current.ordered !== ordered) {
        current = { kind: "list", ordered, items: [] };
        out.push(current);
      }
      current.items.push(item[1] ?? "");
      continue;
    }
    if (current?.kind === "list" && /^\s+\S/.test(line)) {
      // An indented line continues the list item above it.
      const items = current.items;
      items[items.length - 1] = `${items[items.length - 1] ?? ""} ${line.trim()}`;
      continue;
    }
    if (current?.kind !== "paragraph") {
      current = { kind: "paragraph", lines: [] };
      out.push(current);
    }
    current.lines.push(line.trim());
  }
  return out;
}

// `code`, **bold**, [text](url), *italic* and _italic_ (not inside words, so snake_case stays).
// A link's text holds no bracket and its URL no "]": otherwise a line of a
// long run of "[" (or of "[x](") made each exec scan the rest of the line
// from every bracket, quadratic in the line's length: for 90,000 of them
// (instructions hold up to 100,000 characters) 0.1 s per render in
// Chromium 156, 2.5 s in Node 20's V8. Now every alternative ends its scan
// at the next of its own delimiters (bold at the next "**", which closes
// it), so an exec is linear in the line.
const inlinePattern = new RegExp(
  [
    "`([^`]+)`",
    "\\*\\*(.+?)\\*\\*",
    "\\[([^\\][]+)\\]\\(([^)\\]\\s]+)\\)",
    "\\*([^*\\s][^*]*)\\*",
    "(?<![\\p{L}\\p{N}])_([^_]+)_(?![\\p{L}\\p{N}])",
  ].join("|"),
  "u",
);

/**
 * safeHref returns the URL when it is http(s), null otherwise, and null for
 * the app's own API (an export, the audit download): a reader who clicked
 * such a link in a manager's instructions would run it in their own name.
 * The server routes by the decoded path, cleaned (it redirects //api/... and
 * /a/%2e%2e/api/... to /api/...), so the check decodes and cleans it too.
 */
function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
    if (parsed.origin === window.location.origin && `${cleanPath(decodeURIComponent(parsed.pathname))}/`.startsWith("/api/")) return null;
    return parsed.href;
  } catch {
    return null;
  }
}

/** cleanPath is path as Go's path.Clean writes it: no empty, "." or ".." segments. */
function cleanPath(path: string): string {
  const out: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") out.pop();
    else out.push(segment);
  }
  return `/${out.join("/")}`;
}

function inline(text: string, key: string, depth = 0): ReactNode[] {
  const out: ReactNode[] = [];
  let rest = text;
  let n = 0;
  while (rest !== "") {
    const match = depth < 4 ? inlinePattern.exec(rest) : null;
    if (!match) {
      out.push(rest);
      break;
    }
    if (match.index > 0) out.push(rest.slice(0, match.index));
    const k = `${key}.${n++}`;
    const [whole, code, bold, linkText, linkUrl, italic, underscored] = match;
    if (code !== undefined) {
      out.push(<code key={k}>{code}</code>);
    } else if (bold !== undefined) {
      out.push(<strong key={k}>{inline(bold, k, depth + 1)}</strong>);
    } else if (linkText !== undefined && linkUrl !== undefined) {
      const href = safeHref(linkUrl);
      out.push(
        href ? (
          <a key={k} href={href} target="_blank" rel="noopener noreferrer">
            {inline(linkText, k, depth + 1)}
          </a>
        ) : (
          whole
        ),
      );
    } else {
      out.push(<em key={k}>{inline(italic ?? underscored ?? "", k, depth + 1)}</em>);
    }
    rest = rest.slice(match.index + whole.length);
  }
  return out;
}

export function Markdown({ source, className }: { source: string; className?: string }) {
  return (
    <div className={className ? `markdown ${className}` : "markdown"}>
      {blocks(source).map((block, i) => {
        const key = String(i);
        switch (block.kind) {
          case "heading":
            return (
              <p key={key} className="markdown-heading">
                <strong>{inline(block.text, key)}</strong>
              </p>
            );
          case "list": {
            const items = block.items.map((item, j) => <li key={j}>{inline(item, `${key}.${j}`)}</li>);
            return block.ordered ? <ol key={key}>{items}</ol> : <ul key={key}>{items}</ul>;
          }
          case "paragraph":
            return (
              <p key={key}>
                {block.lines.map((line, j) => (
                  <span key={j}>
                    {j > 0 ? <br /> : null}
                    {inline(line, `${key}.${j}`)}
                  </span>
                ))}
              </p>
            );
        }
      })}
    </div>
  );
}
