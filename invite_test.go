package main

import (
	"testing"
)

const (
	createInviteMutation = `mutation($i: CreateInviteInput!) { createInvite(input: $i) { url invite { id role useCount maxUses createdBy { id } } } }`
	inviteQuery          = `query($t: String!) { invite(token: $t) { role setup } }`
	roleInvitesQuery     = `{ roleInvites { id role useCount maxUses revoked createdBy { id displayName } } }`
)

// makeInvite has b create an invite and returns its token and id.
func makeInvite(t *testing.T, b *browser, in map[string]any) (token, id string) {
	t.Helper()
	d := b.ok(createInviteMutation, map[string]any{"i": in})
	return inviteToken(str(d, "createInvite", "url")), str(d, "createInvite", "invite", "id")
}

// inviteRefused asserts that token leads nowhere and that signing up with
// it is refused and creates no one.
func inviteRefused(t *testing.T, s *testServer, owner *browser, token string) {
	t.Helper()
	if d := s.browser(t).ok(inviteQuery, map[string]any{"t": token}); path(d, "invite") != nil {
		t.Fatalf("a dead invite still looks valid: %v", d)
	}
	before := memberCount(t, owner)
	email := uniqueEmail("late")
	b := s.browser(t)
	b.wantCode("BAD_USER_INPUT", signupMutation, signupVars(email, ownerPassword, token))
	if path(b.ok(`{ viewer { id } }`, nil), "viewer") != nil {
		t.Fatal("a refused sign-up signed someone in")
	}
	if memberCount(t, owner) != before {
		t.Fatal("a refused sign-up added a member")
	}
	// No account was made either: signing up again with the same email
	// through a live link works.
	live, _ := makeInvite(t, owner, map[string]any{"role": "ANNOTATOR", "maxUses": 1})
	s.browser(t).ok(signupMutation, signupVars(email, ownerPassword, live))
}

// TestInviteDiesWithItsCreator: an invite is only as good as its creator's
// current standing. The one-year admin invites of an admin who is then
// deactivated, one who is removed and one who is demoted all stop working,
// and make no one an admin.
func TestInviteDiesWithItsCreator(t *testing.T) {
	tm := MustTeam(t)
	s, owner := tm.s, tm.owner
	year := map[string]any{"role": "ADMIN", "expiresInHours": 8760, "maxUses": 10}

	deactivated := tm.joinAs(t, "ADMIN")
	deactivatedToken, _ := makeInvite(t, deactivated, year)
	removed := tm.joinAs(t, "ADMIN")
	removedToken, _ := makeInvite(t, removed, year)
	demoted := tm.joinAs(t, "ADMIN")
	demotedToken, _ := makeInvite(t, demoted, year)
	staying := tm.joinAs(t, "ADMIN")
	stayingToken, _ := makeInvite(t, staying, year)

	// All four work while their creators stand.
	for _, tok := range []string{deactivatedToken, removedToken, demotedToken, stayingToken} {
		if d := s.browser(t).ok(inviteQuery, map[string]any{"t": tok}); str(d, "invite", "role") != "ADMIN" {
			t.Fatalf("a fresh admin invite does not look valid: %v", d)
		}
	}

	deactivatedID := idOf(t, deactivated)
	owner.ok(deactivate, map[string]any{"u": deactivatedID})
	owner.ok(removeMutation, map[string]any{"u": idOf(t, removed)})
	owner.ok(roleMutation, map[string]any{"u": idOf(t, demoted), "r": "MANAGER"})

	inviteRefused(t, s, owner, deactivatedToken)
	inviteRefused(t, s, owner, removedToken)
	inviteRefused(t, s, owner, demotedToken)

	// Deactivated and then removed as well: still dead.
	owner.ok(removeMutation, map[string]any{"u": deactivatedID})
	inviteRefused(t, s, owner, deactivatedToken)

	// The admin in good standing still invites.
	b := s.browser(t)
	b.ok(signupMutation, signupVars(uniqueEmail("newadmin"), ownerPassword, stayingToken))
	if roleOf(t, b) != "ADMIN" {
		t.Fatal("a live admin invite did not make an admin")
	}
}

// TestAdminInviteAdmitsOnePerson: owner and admin invites admit one person
// unless made with a larger count; the second use is refused and changes
// nothing. Lower roles admit any number until they expire unless limited.
// The list shows who made each invite and how often it was used.
func TestAdminInviteAdmitsOnePerson(t *testing.T) {
	s, owner := MustOwner(t, nil)
	ownerID := idOf(t, owner)
	d := owner.ok(createInviteMutation, map[string]any{"i": map[string]any{"role": "ADMIN"}})
	if path(d, "createInvite", "invite", "maxUses") != float64(1) || str(d, "createInvite", "invite", "createdBy", "id") != ownerID {
		t.Fatalf("created invite: %v", d)
	}
	admin := inviteToken(str(d, "createInvite", "url"))
	first := s.browser(t)
	first.ok(signupMutation, signupVars(uniqueEmail("admin"), ownerPassword, admin))
	if roleOf(t, first) != "ADMIN" {
		t.Fatal("the admin invite did not make an admin")
	}
	inviteRefused(t, s, owner, admin)

	annotators, annotatorsID := makeInvite(t, owner, map[string]any{"role": "ANNOTATOR"})
	for i := 0; i < 3; i++ {
		s.browser(t).ok(signupMutation, signupVars(uniqueEmail("ann"), ownerPassword, annotators))
	}
	limited, _ := makeInvite(t, owner, map[string]any{"role": "REVIEWER", "maxUses": 2})
	for i := 0; i < 2; i++ {
		s.browser(t).ok(signupMutation, signupVars(uniqueEmail("rev"), ownerPassword, limited))
	}
	inviteRefused(t, s, owner, limited)
	two, _ := makeInvite(t, owner, map[string]any{"role": "ADMIN", "maxUses": 2})
	for i := 0; i < 2; i++ {
		s.browser(t).ok(signupMutation, signupVars(uniqueEmail("admin"), ownerPassword, two))
	}
	inviteRefused(t, s, owner, two)

	for _, n := range []int{0, -1, 1001} {
		owner.wantCode("BAD_USER_INPUT", createInviteMutation, map[string]any{"i": map[string]any{"role": "ANNOTATOR", "maxUses": n}})
	}

	// The list: newest first; the live-link invites that inviteRefused made
	// are there too. Each shows its creator and its uses.
	list := owner.ok(roleInvitesQuery, nil)
	uses := map[string][2]any{} // id → useCount, maxUses
	for _, x := range path(list, "roleInvites").([]any) {
		if str(x, "createdBy", "id") != ownerID || str(x, "createdBy", "displayName") != "owner" {
			t.Fatalf("invite without its creator: %v", x)
		}
		uses[str(x, "id")] = [2]any{path(x, "useCount"), path(x, "maxUses")}
	}
	if got := uses[str(d, "createInvite", "invite", "id")]; got[0] != float64(1) || got[1] != float64(1) {
		t.Fatalf("admin invite uses: %v", got)
	}
	if got := uses[annotatorsID]; got[0] != float64(3) || got[1] != nil {
		t.Fatalf("annotator invite uses: %v", got)
	}
	if len(uses) != 7 {
		t.Fatalf("roleInvites: %v", list)
	}
}

// TestAdminInviteConcurrentUse: of simultaneous sign-ups with one
// single-use admin invite, exactly one gets in.
func TestAdminInviteConcurrentUse(t *testing.T) {
	s, owner := MustOwner(t, nil)
	token, id := makeInvite(t, owner, map[string]any{"role": "ADMIN"})
	before := memberCount(t, owner)
	codes := burst(t, 8, func(i int) *gqlResponse {
		return s.browser(t).gql(signupMutation, signupVars(uniqueEmail("racer"), ownerPassword, token))
	})
	if codes[""] != 1 || codes["BAD_USER_INPUT"] != 7 {
		t.Fatalf("8 concurrent sign-ups with a single-use admin invite answered %v; want exactly one success", codes)
	}
	if memberCount(t, owner) != before+1 {
		t.Fatalf("members: %d, want %d", memberCount(t, owner), before+1)
	}
	for _, x := range path(owner.ok(roleInvitesQuery, nil), "roleInvites").([]any) {
		if str(x, "id") == id && path(x, "useCount") != float64(1) {
			t.Fatalf("use count %v", path(x, "useCount"))
		}
	}
}

// TestAnOrganizationWithoutAnOwnerHasNoSetupLink: the organization's invite
// link is the one-time setup link (it makes its first user the owner) only
// while the organization has no member at all. An organization whose
// owners are gone (the role rules keep it out of that state; here an
// insider with the database demotes the only owner) keeps an annotator
// link: whoever holds the link must not become its owner.
func TestAnOrganizationWithoutAnOwnerHasNoSetupLink(t *testing.T) {
	s, owner := MustOwner(t, nil)
	link := str(owner.ok(`{ organization { inviteUrl } }`, nil), "organization", "inviteUrl")
	db := insider(t, s)
	mustExec(t, db, `UPDATE memberships SET role = 'ADMIN' WHERE role = 'OWNER'`)

	newcomer := s.browser(t)
	email := uniqueEmail("newcomer")
	newcomer.ok(signupMutation, signupVars(email, ownerPassword, inviteToken(link)))
	if role := str(newcomer.ok(`{ organization { viewerRole } }`, nil), "organization", "viewerRole"); role != "ANNOTATOR" {
		t.Fatalf("the invite link of an organization without an owner made its user %s", role)
	}
	var owners int
	if err := db.SQL.QueryRow(`SELECT count(*) FROM memberships WHERE role = 'OWNER'`).Scan(&owners); err != nil || owners != 0 {
		t.Fatalf("owners: %d, %v", owners, err)
	}
}
