// A modal dialog built on the native <dialog> element: showModal() makes the
// rest of the page inert, keeps focus inside and closes on Escape. The
// dialog is labelled by its heading and gives focus back to whatever opened
// it when it closes.
import { useEffect, useId, useRef, type ReactNode, type RefObject } from "react";

interface DialogProps {
  title: string;
  /** onClose is called for Escape; the parent decides to unmount the dialog. */
  onClose: () => void;
  /** The id of the element to focus when the dialog opens; the first focusable one otherwise. */
  initialFocusId?: string;
  /** The id of text that explains the dialog, read out with its title. */
  describedById?: string;
  /** Where focus goes when the dialog closes; the element focused at opening otherwise. */
  returnFocus?: RefObject<HTMLElement | null>;
  children: ReactNode;
}

export function Dialog({ title, onClose, initialFocusId, describedById, returnFocus, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener =
      returnFocus?.current ?? (document.activeElement instanceof HTMLElement ? document.activeElement : null);
    if (!dialog.open) {
      dialog.showModal();
    }
    const target = initialFocusId ? document.getElementById(initialFocusId) : null;
    if (target) {
      target.focus();
      if (target instanceof HTMLInputElement) target.select();
    }
    function handleCancel(event: Event) {
      // Keep React in charge of whether the dialog is shown.
      event.preventDefault();
      onCloseRef.current();
    }
    // Browsers may close the dialog without a cancelable cancel event (for
    // example a second Escape without user activation); follow them.
    function handleClose() {
      if (dialog && !dialog.open) onCloseRef.current();
    }
    dialog.addEventListener("cancel", handleCancel);
    dialog.addEventListener("close", handleClose);
    return () => {
      dialog.removeEventListener("cancel", handleCancel);
      dialog.removeEventListener("close", handleClose);
      if (dialog.open) dialog.close();
      if (opener && opener.isConnected) opener.focus();
    };
  }, [initialFocusId, returnFocus]);

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-modal="true"
      aria-labelledby={titleId}
      aria-describedby={describedById}
    >
      <h2 id={titleId} className="dialog-title">
        {title}
      </h2>
      {children}
    </dialog>
  );
}
