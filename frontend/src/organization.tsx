// The viewer's active organization and their role in it, loaded once for
// every signed-in page. The role decides what the app offers (the server
// decides what is allowed): links in the top bar, tabs, buttons and whether
// a page opens at all. Switching organization reloads it, and the shell
// starts every page afresh for the new organization.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";

import {
  CurrentOrganizationQuery,
  SwitchOrganizationMutation,
  type OrganizationChoice,
  type OrganizationSummary,
  type Role,
} from "./operations.ts";
import { useMutation, useQuery } from "./hooks.ts";

export interface OrganizationContextValue {
  /** The active organization, or null when the viewer belongs to none. */
  organization: OrganizationSummary | null;
  /** Every organization the viewer belongs to. */
  organizations: OrganizationChoice[];
  /** The viewer's role in the active organization. */
  role: Role | null;
  /** switchTo makes another organization the active one and reloads; it rejects with an ApiError. */
  switchTo(id: string): Promise<void>;
  switching: boolean;
  /** The organization just switched to, for a one-time confirmation. */
  switchedTo: string | null;
  /** clearSwitched forgets switchedTo once it was shown. */
  clearSwitched(): void;
  /** reload asks the server again, for example after creating or leaving an organization. */
  reload(): void;
}

const OrganizationContext = createContext<OrganizationContextValue | null>(null);

interface ProviderProps {
  /** Rendered while the organization loads, or when loading failed (with the error and a retry). */
  fallback(state: { loading: boolean; error: unknown; retry(): void }): ReactNode;
  children: ReactNode;
}

export function OrganizationProvider({ fallback, children }: ProviderProps) {
  const query = useQuery(CurrentOrganizationQuery, {});
  const switchMutation = useMutation(SwitchOrganizationMutation);
  const [switchedTo, setSwitchedTo] = useState<string | null>(null);
  const { reload } = query;
  const run = switchMutation.run;

  const switchTo = useCallback(
    async (id: string) => {
      await run({ id });
      setSwitchedTo(id);
      reload();
    },
    [run, reload],
  );
  const clearSwitched = useCallback(() => setSwitchedTo(null), []);

  const data = query.data;
  const value = useMemo<OrganizationContextValue | null>(
    () =>
      data
        ? {
            organization: data.organization,
            organizations: data.organizations,
            role: data.organization?.viewerRole ?? null,
            switchTo,
            switching: switchMutation.pending,
            switchedTo,
            clearSwitched,
            reload,
          }
        : null,
    [data, switchTo, switchMutation.pending, switchedTo, clearSwitched, reload],
  );

  if (value === null) {
    return <>{fallback({ loading: query.loading, error: query.error, retry: reload })}</>;
  }
  return <OrganizationContext.Provider value={value}>{children}</OrganizationContext.Provider>;
}

/** useOrganization returns the active organization; it must be used under OrganizationProvider. */
export function useOrganization(): OrganizationContextValue {
  const value = useContext(OrganizationContext);
  if (value === null) {
    throw new Error("useOrganization outside OrganizationProvider");
  }
  return value;
}

/** useRole returns the viewer's role in the active organization, null without one. */
export function useRole(): Role | null {
  return useOrganization().role;
}
