// The viewer's organizations: switch the active one, or create a new one
// (the viewer becomes its owner) and switch to it from here.
import { useState, type FormEvent } from "react";

import { CreateOrganizationMutation } from "../../operations.ts";
import { Button } from "../../components/Button.tsx";
import { Field } from "../../components/Field.tsx";
import { ErrorAlert, StatusMessage } from "../../components/Messages.tsx";
import { useMutation } from "../../hooks.ts";
import { useOrganization } from "../../organization.tsx";

export function OrganizationsSection() {
  const { organization, organizations, switchTo, switching, reload } = useOrganization();
  const create = useMutation(CreateOrganizationMutation);
  const [chosen, setChosen] = useState(organization?.id ?? organizations[0]?.id ?? "");
  const [switchError, setSwitchError] = useState<unknown>(null);
  const [title, setTitle] = useState("");
  const [createError, setCreateError] = useState<unknown>(null);
  const [created, setCreated] = useState<string | null>(null);

  async function handleSwitch(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (switching || chosen === "" || chosen === organization?.id) return;
    setSwitchError(null);
    try {
      await switchTo(chosen);
    } catch (err) {
      setSwitchError(err);
    }
  }

  async function handleCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (create.pending) return;
    setCreateError(null);
    setCreated(null);
    if (title.trim() === "") {
      setCreateError("Give the organization a title.");
      return;
    }
    try {
      const data = await create.run({ title: title.trim() });
      setTitle("");
      setCreated(data.createOrganization.title);
      // Offer the new organization in the switcher straight away.
      setChosen(data.createOrganization.id);
      reload();
    } catch (err) {
      setCreateError(err);
    }
  }

  const createErrorId = createError ? "create-organization-error" : null;
  return (
    <section className="card" aria-labelledby="organizations-heading">
      <h2 id="organizations-heading">Your organizations</h2>
      <p>Projects, members and the audit log belong to one organization. Switch to work in another one.</p>
      <form className="form" onSubmit={handleSwitch} noValidate>
        <ErrorAlert error={switchError} />
        <div className="field">
          <label htmlFor="organization-choice">Active organization</label>
          <div className="input-row">
            <select id="organization-choice" value={chosen} onChange={(event) => setChosen(event.target.value)}>
              {organizations.map((org) => (
                <option key={org.id} value={org.id}>
                  {org.title}
                  {org.id === organization?.id ? " (current)" : ""}
                </option>
              ))}
            </select>
            <Button type="submit" pending={switching} disabled={chosen === "" || chosen === organization?.id}>
              Switch
            </Button>
          </div>
        </div>
      </form>
      <form className="form subsection" onSubmit={handleCreate} noValidate>
        <h3>Create organization</h3>
        <ErrorAlert id="create-organization-error" error={createError} />
        {created ? (
          <StatusMessage>
            Created “{created}”. You are its owner; choose it above and press Switch to work in it.
          </StatusMessage>
        ) : null}
        <Field
          id="organization-title"
          label="Organization title"
          type="text"
          required
          maxLength={200}
          autoComplete="off"
          value={title}
          onValueChange={(value) => {
            setCreated(null);
            setTitle(value);
          }}
          errorId={createErrorId}
        />
        <div className="actions">
          <Button type="submit" pending={create.pending}>
            Create organization
          </Button>
        </div>
      </form>
    </section>
  );
}
