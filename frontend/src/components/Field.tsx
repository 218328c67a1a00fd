// A labelled text input. Hints and errors are tied to the input with
// aria-describedby so screen readers read them with the field.
import type { ChangeEvent, InputHTMLAttributes } from "react";

interface FieldProps
  extends Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "onChange" | "value" | "children"> {
  id: string;
  label: string;
  value: string;
  onValueChange?: (value: string) => void;
  /** Help shown under the input. */
  hint?: string;
  /** The id of an error message that describes this field, when there is one. */
  errorId?: string | null;
}

export function Field({ id, label, value, onValueChange, hint, errorId, className, ...input }: FieldProps) {
  const hintId = hint ? `${id}-hint` : null;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={className ? `field ${className}` : "field"}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={id}
        value={value}
        onChange={(event: ChangeEvent<HTMLInputElement>) => onValueChange?.(event.target.value)}
        aria-describedby={describedBy}
        aria-invalid={errorId ? true : undefined}
        {...input}
      />
      {hint ? (
        <p id={hintId ?? undefined} className="field-hint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
