// Formatting for people: dates, roles and browsers.
import type { ReviewState, Role } from "./operations.ts";

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

/** formatDateTime renders an RFC 3339 time as a local date and time. */
export function formatDateTime(time: string): string {
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? time : dateTime.format(date);
}

/** formatDate renders an RFC 3339 time as a local date. */
export function formatDate(time: string): string {
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? time : dateOnly.format(date);
}

const roleNames: Record<Role, string> = {
  OWNER: "Owner",
  ADMIN: "Admin",
  MANAGER: "Manager",
  REVIEWER: "Reviewer",
  ANNOTATOR: "Annotator",
};

/** roleName is the word shown for a role. */
export function roleName(role: Role): string {
  return roleNames[role] ?? role;
}

/** withArticle puts "a" or "an" before a word: "an annotator", "a manager". */
export function withArticle(word: string): string {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

/** roles lists every role, most powerful first. */
export const roles: readonly Role[] = ["OWNER", "ADMIN", "MANAGER", "REVIEWER", "ANNOTATOR"];

/** assignableRoles are the roles a viewer with this role may give: only owners give the owner role. */
export function assignableRoles(viewerRole: Role): readonly Role[] {
  return viewerRole === "OWNER" ? roles : roles.filter((r) => r !== "OWNER");
}

/** isAdminRole reports whether a role may manage members and invite links. */
export function isAdminRole(role: Role): boolean {
  return role === "OWNER" || role === "ADMIN";
}

const browsers: [RegExp, string][] = [
  [/Edg\//, "Edge"],
  [/OPR\/|Opera/, "Opera"],
  [/Firefox\//, "Firefox"],
  [/Chrom(e|ium)\//, "Chrome"],
  [/Safari\//, "Safari"],
  [/curl\//, "curl"],
];

const systems: [RegExp, string][] = [
  [/Windows/, "Windows"],
  [/Android/, "Android"],
  [/iPhone|iPad|iPod/, "iOS"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/CrOS/, "ChromeOS"],
  [/Linux/, "Linux"],
];

/** describeUserAgent turns a User-Agent header into "Chrome on Linux", or "" when unknown. */
export function describeUserAgent(userAgent: string): string {
  const browser = browsers.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = systems.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? "";
}

/** isManagerRole reports whether a role may create, change, import into and export projects. */
export function isManagerRole(role: Role | null | undefined): boolean {
  return role === "OWNER" || role === "ADMIN" || role === "MANAGER";
}

/** isReviewerRole reports whether a role may review others' annotations: reviewers and up. */
export function isReviewerRole(role: Role | null | undefined): boolean {
  return role !== null && role !== undefined && role !== "ANNOTATOR";
}

const reviewStateNames: Record<ReviewState, string> = {
  PENDING: "Pending",
  ACCEPTED: "Accepted",
  REJECTED: "Rejected",
};

/** reviewStateName is the word shown for a review state. */
export function reviewStateName(state: ReviewState): string {
  return reviewStateNames[state] ?? state;
}

/** count renders "1 task" or "3 tasks". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}
