//go:build pg

package main

import (
	"testing"
)

// TestThrottledSignInsAreRecordedOnceAcrossReplicas: two processes on one
// PostgreSQL database share the throttle rows, and so which refusal of a
// window is its first: a burst of guesses at a locked account, spread over
// both, is one login.throttled event.
func TestThrottledSignInsAreRecordedOnceAcrossReplicas(t *testing.T) {
	a, b := ownedReplicas(t, replicaOwnerToken)
	for range 5 {
		a.browser(t).wantCode("UNAUTHENTICATED", loginMutation, loginVars(ownerEmail, "a wrong guess!"))
	}
	codes := burst(t, 40, func(i int) *gqlResponse {
		return []*testServer{a, b}[i%2].browser(t).gql(loginMutation, loginVars(ownerEmail, "a wrong guess!"))
	})
	if codes["RATE_LIMITED"] != 40 {
		t.Fatalf("40 guesses at a locked account answered %v, want all RATE_LIMITED", codes)
	}
	if n := len(eventsOf(t, b.tokenClient(t, replicaOwnerToken), "login.throttled")); n != 1 {
		t.Fatalf("%d login.throttled events for 40 refusals over two processes, want 1", n)
	}
}
