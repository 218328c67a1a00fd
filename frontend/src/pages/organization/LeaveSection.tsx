// Leave organization, for everyone, after an in-page confirmation. The
// server refuses for the last owner and says why. Someone who leaves their
// only organization has no organization left to sign in to.
import { useEffect, useRef, useState } from "react";

import { RemoveMemberMutation } from "../../operations.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorAlert } from "../../components/Messages.tsx";
import { useMutation } from "../../hooks.ts";
import { useOrganization } from "../../organization.tsx";
import { navigate } from "../../router.tsx";
import { useSession } from "../../session.tsx";

export function LeaveSection({ viewerId, title }: { viewerId: string; title: string }) {
  const session = useSession();
  const { organizations, reload } = useOrganization();
  const leave = useMutation(RemoveMemberMutation);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const leaveButton = useRef<HTMLButtonElement>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);
  const moveFocus = useRef(false);
  const onlyOne = organizations.length <= 1;

  // Keep keyboard focus on the control that replaced the one just used.
  useEffect(() => {
    if (!moveFocus.current) return;
    moveFocus.current = false;
    (confirming ? cancelButton : leaveButton).current?.focus();
  }, [confirming]);

  async function confirmLeave() {
    if (leave.pending) return;
    setError(null);
    try {
      await leave.run({ userId: viewerId });
    } catch (err) {
      setError(err);
      moveFocus.current = true;
      setConfirming(false);
      return;
    }
    if (onlyOne) {
      // Without a membership the account is signed out everywhere.
      navigate("/login");
      session.signedOut();
      return;
    }
    navigate("/projects");
    reload();
  }

  return (
    <section className="card danger-zone" aria-labelledby="leave-heading">
      <h2 id="leave-heading">Leave organization</h2>
      <p>
        Leaving takes away your access to <strong>{title}</strong>: its projects, tasks and your place in its
        review. Your annotations stay with the projects.
      </p>
      <ErrorAlert error={error} />
      {confirming ? (
        <div className="confirm">
          <p>
            <strong>Leave {title}?</strong>{" "}
            {onlyOne
              ? "It is your only organization: you will be signed out and cannot sign in again until someone invites you."
              : "You will switch to another of your organizations."}
          </p>
          <div className="actions">
            <Button variant="danger" pending={leave.pending} onClick={confirmLeave}>
              Leave
            </Button>
            <Button
              ref={cancelButton}
              disabled={leave.pending}
              onClick={() => {
                moveFocus.current = true;
                setConfirming(false);
              }}
            >
              Cancel
            </Button>
          </div>
        </div>
      ) : (
        <div className="actions">
          <Button
            ref={leaveButton}
            variant="danger"
            onClick={() => {
              setError(null);
              moveFocus.current = true;
              setConfirming(true);
            }}
          >
            Leave organization
          </Button>
        </div>
      )}
    </section>
  );
}
