// The page's h1. It sets the document title and, after an in-app navigation,
// takes focus so screen reader and keyboard users start on the new page.
import { useEffect, useRef, type ReactNode } from "react";

import { hasNavigated } from "../router.tsx";

export function PageHeading({ title, children }: { title: string; children?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Gloss`;
  }, [title]);
  useEffect(() => {
    if (hasNavigated() && !ref.current?.contains(document.activeElement)) {
      ref.current?.focus({ preventScroll: true });
    }
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1} className="page-heading">
      {children ?? title}
    </h1>
  );
}
