package rule_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"gloss/ent"
	"gloss/ent/apitoken"
	"gloss/ent/enttest"
	"gloss/ent/membership"
	"gloss/ent/organization"
	"gloss/ent/privacy"
	_ "gloss/ent/runtime"
	"gloss/ent/session"
	"gloss/ent/throttle"
	"gloss/ent/user"
	"gloss/internal/secret"
	"gloss/internal/viewer"
)

var dbSeq atomic.Int64

var unsafeDSN = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// MustOpen returns a client on a fresh in-memory SQLite database whose name
// is unique to tb, migrated, and closed when tb ends.
func MustOpen(tb testing.TB) *ent.Client {
	tb.Helper()
	name := fmt.Sprintf("%s_%d", unsafeDSN.ReplaceAllString(tb.Name(), "_"), dbSeq.Add(1))
	client := enttest.Open(tb, "sqlite3", "file:"+name+"?mode=memory&cache=shared&_fk=1")
	tb.Cleanup(func() { client.Close() })
	return client
}

// fixture is the seeded world every test starts from: two organizations,
// A and B, with their members, sessions, API tokens and one throttle row.
//
//	ownerA     — owner of A (active), and also an annotator of B
//	annotatorA — annotator of A
//	adminA     — admin of A (no API token)
//	ownerB     — owner of B
type fixture struct {
	client *ent.Client

	orgA, orgB *ent.Organization

	ownerA, annotatorA, adminA, ownerB *ent.User

	mOwnerA, mAnnotatorA, mAdminA, mOwnerB, mOwnerAInB *ent.Membership

	sOwnerA, sAnnotatorA1, sAnnotatorA2, sAdminA, sOwnerB *ent.Session

	tOwnerA, tAnnotatorA, tOwnerB *ent.APIToken

	throttle *ent.Throttle
}

func sys() context.Context { return viewer.NewSystemContext(context.Background()) }

// MustSeed builds the fixture through the system viewer.
func MustSeed(tb testing.TB) *fixture {
	tb.Helper()
	c := MustOpen(tb)
	ctx := sys()
	f := &fixture{client: c}
	now := time.Now()

	f.orgA = c.Organization.Create().SetTitle("Org A").SaveX(ctx)
	f.orgB = c.Organization.Create().SetTitle("Org B").SaveX(ctx)

	newUser := func(email string, org *ent.Organization) *ent.User {
		return c.User.Create().SetEmail(email).SetPasswordHash("hash-of-" + email).
			SetActiveOrganizationID(org.ID).SaveX(ctx)
	}
	f.ownerA = newUser("owner@a.test", f.orgA)
	f.annotatorA = newUser("annotator@a.test", f.orgA)
	f.adminA = newUser("admin@a.test", f.orgA)
	f.ownerB = newUser("owner@b.test", f.orgB)

	newMembership := func(u *ent.User, org *ent.Organization, r membership.Role) *ent.Membership {
		return c.Membership.Create().SetUserID(u.ID).SetOrganizationID(org.ID).SetRole(r).SaveX(ctx)
	}
	f.mOwnerA = newMembership(f.ownerA, f.orgA, membership.RoleOwner)
	f.mAnnotatorA = newMembership(f.annotatorA, f.orgA, membership.RoleAnnotator)
	f.mAdminA = newMembership(f.adminA, f.orgA, membership.RoleAdmin)
	f.mOwnerB = newMembership(f.ownerB, f.orgB, membership.RoleOwner)
	f.mOwnerAInB = newMembership(f.ownerA, f.orgB, membership.RoleAnnotator)

	newSession := func(u *ent.User, tag string) *ent.Session {
		return c.Session.Create().SetUserID(u.ID).SetTokenHash(secret.Hash("session-" + tag)).
			SetLastSeenAt(now).SetExpiresAt(now.Add(time.Hour)).SetUserAgent("agent-" + tag).SaveX(ctx)
	}
	f.sOwnerA = newSession(f.ownerA, "ownerA")
	f.sAnnotatorA1 = newSession(f.annotatorA, "annotatorA1")
	f.sAnnotatorA2 = newSession(f.annotatorA, "annotatorA2")
	f.sAdminA = newSession(f.adminA, "adminA")
	f.sOwnerB = newSession(f.ownerB, "ownerB")

	newToken := func(u *ent.User, tag string) *ent.APIToken {
		return c.APIToken.Create().SetUserID(u.ID).SetTokenHash(secret.Hash("token-" + tag)).SaveX(ctx)
	}
	f.tOwnerA = newToken(f.ownerA, "ownerA")
	f.tAnnotatorA = newToken(f.annotatorA, "annotatorA")
	f.tOwnerB = newToken(f.ownerB, "ownerB")

	f.throttle = c.Throttle.Create().SetKey("account:owner@a.test").SetFailures(3).SetWindowStart(now).SaveX(ctx)
	return f
}

// as returns a context for a signed-in viewer with the given active
// organization and role.
func as(u *ent.User, org *ent.Organization, r membership.Role) context.Context {
	return viewer.NewContext(context.Background(), &viewer.Viewer{
		UserID: u.ID, OrgID: org.ID, Role: r, Method: viewer.MethodSession,
	})
}

func (f *fixture) anonymous() context.Context { return context.Background() }
func (f *fixture) asOwnerA() context.Context  { return as(f.ownerA, f.orgA, membership.RoleOwner) }
func (f *fixture) asAnnotatorA() context.Context {
	return as(f.annotatorA, f.orgA, membership.RoleAnnotator)
}
func (f *fixture) asAdminA() context.Context { return as(f.adminA, f.orgA, membership.RoleAdmin) }
func (f *fixture) asOwnerB() context.Context { return as(f.ownerB, f.orgB, membership.RoleOwner) }

// snapshot renders every row of every entity, read as the system viewer,
// so that a denied operation can be shown to have changed nothing.
func (f *fixture) snapshot(tb testing.TB) string {
	tb.Helper()
	ctx := sys()
	deref := func(b *[]byte) []byte {
		if b == nil {
			return nil
		}
		return *b
	}
	var s strings.Builder
	for _, o := range f.client.Organization.Query().Order(ent.Asc(organization.FieldID)).AllX(ctx) {
		fmt.Fprintf(&s, "%v invite=%x sealed=%x\n", o, deref(o.InviteTokenHash), deref(o.InviteTokenSealed))
	}
	for _, u := range f.client.User.Query().Order(ent.Asc(user.FieldID)).AllX(ctx) {
		fmt.Fprintf(&s, "%v password=%q\n", u, u.PasswordHash)
	}
	for _, m := range f.client.Membership.Query().Order(ent.Asc(membership.FieldID)).AllX(ctx) {
		fmt.Fprintf(&s, "%v\n", m)
	}
	for _, x := range f.client.Session.Query().Order(ent.Asc(session.FieldID)).AllX(ctx) {
		fmt.Fprintf(&s, "%v hash=%x\n", x, x.TokenHash)
	}
	for _, t := range f.client.APIToken.Query().Order(ent.Asc(apitoken.FieldID)).AllX(ctx) {
		fmt.Fprintf(&s, "%v hash=%x\n", t, t.TokenHash)
	}
	for _, t := range f.client.Throttle.Query().Order(ent.Asc(throttle.FieldID)).AllX(ctx) {
		fmt.Fprintf(&s, "%v\n", t)
	}
	return s.String()
}

// visible lists the ids a viewer may read, per entity.
type visible struct {
	orgs, users, memberships, sessions, tokens []int
}

func ids[T any](xs []T, id func(T) int) []int {
	out := make([]int, 0, len(xs))
	for _, x := range xs {
		out = append(out, id(x))
	}
	slices.Sort(out)
	return out
}

func orgIDs(xs ...*ent.Organization) []int {
	return ids(xs, func(x *ent.Organization) int { return x.ID })
}
func userIDs(xs ...*ent.User) []int { return ids(xs, func(x *ent.User) int { return x.ID }) }
func membershipIDs(xs ...*ent.Membership) []int {
	return ids(xs, func(x *ent.Membership) int { return x.ID })
}
func sessionIDs(xs ...*ent.Session) []int { return ids(xs, func(x *ent.Session) int { return x.ID }) }
func tokenIDs(xs ...*ent.APIToken) []int  { return ids(xs, func(x *ent.APIToken) int { return x.ID }) }

// entityReads binds one entity's list and get operations so that every
// entity is checked the same way.
type entityReads struct {
	name string
	all  func(f *fixture) []int // every row, as the system sees it
	want func(v visible) []int
	list func(ctx context.Context, f *fixture) ([]int, error)
	get  func(ctx context.Context, f *fixture, id int) error
}

var reads = []entityReads{
	{
		name: "Organization",
		all:  func(f *fixture) []int { return orgIDs(f.orgA, f.orgB) },
		want: func(v visible) []int { return v.orgs },
		list: func(ctx context.Context, f *fixture) ([]int, error) { return f.client.Organization.Query().IDs(ctx) },
		get: func(ctx context.Context, f *fixture, id int) error {
			_, err := f.client.Organization.Get(ctx, id)
			return err
		},
	},
	{
		name: "User",
		all:  func(f *fixture) []int { return userIDs(f.ownerA, f.annotatorA, f.adminA, f.ownerB) },
		want: func(v visible) []int { return v.users },
		list: func(ctx context.Context, f *fixture) ([]int, error) { return f.client.User.Query().IDs(ctx) },
		get: func(ctx context.Context, f *fixture, id int) error {
			_, err := f.client.User.Get(ctx, id)
			return err
		},
	},
	{
		name: "Membership",
		all: func(f *fixture) []int {
			return membershipIDs(f.mOwnerA, f.mAnnotatorA, f.mAdminA, f.mOwnerB, f.mOwnerAInB)
		},
		want: func(v visible) []int { return v.memberships },
		list: func(ctx context.Context, f *fixture) ([]int, error) { return f.client.Membership.Query().IDs(ctx) },
		get: func(ctx context.Context, f *fixture, id int) error {
			_, err := f.client.Membership.Get(ctx, id)
			return err
		},
	},
	{
		name: "Session",
		all: func(f *fixture) []int {
			return sessionIDs(f.sOwnerA, f.sAnnotatorA1, f.sAnnotatorA2, f.sAdminA, f.sOwnerB)
		},
		want: func(v visible) []int { return v.sessions },
		list: func(ctx context.Context, f *fixture) ([]int, error) { return f.client.Session.Query().IDs(ctx) },
		get: func(ctx context.Context, f *fixture, id int) error {
			_, err := f.client.Session.Get(ctx, id)
			return err
		},
	},
	{
		name: "APIToken",
		all:  func(f *fixture) []int { return tokenIDs(f.tOwnerA, f.tAnnotatorA, f.tOwnerB) },
		want: func(v visible) []int { return v.tokens },
		list: func(ctx context.Context, f *fixture) ([]int, error) { return f.client.APIToken.Query().IDs(ctx) },
		get: func(ctx context.Context, f *fixture, id int) error {
			_, err := f.client.APIToken.Get(ctx, id)
			return err
		},
	},
}

// viewerCases are the callers of the read matrix. A nil want means every
// read must be refused.
var viewerCases = []struct {
	name string
	ctx  func(f *fixture) context.Context
	want func(f *fixture) *visible
}{
	{
		name: "anonymous",
		ctx:  (*fixture).anonymous,
	},
	{
		name: "viewer without a user",
		ctx: func(f *fixture) context.Context {
			return viewer.NewContext(context.Background(), &viewer.Viewer{OrgID: f.orgA.ID, Role: membership.RoleOwner})
		},
	},
	{
		name: "annotator of A",
		ctx:  (*fixture).asAnnotatorA,
		want: func(f *fixture) *visible {
			return &visible{
				orgs:        orgIDs(f.orgA),
				users:       userIDs(f.ownerA, f.annotatorA, f.adminA),
				memberships: membershipIDs(f.mOwnerA, f.mAnnotatorA, f.mAdminA),
				sessions:    sessionIDs(f.sAnnotatorA1, f.sAnnotatorA2),
				tokens:      tokenIDs(f.tAnnotatorA),
			}
		},
	},
	{
		name: "admin of A",
		ctx:  (*fixture).asAdminA,
		want: func(f *fixture) *visible {
			return &visible{
				orgs:        orgIDs(f.orgA),
				users:       userIDs(f.ownerA, f.annotatorA, f.adminA),
				memberships: membershipIDs(f.mOwnerA, f.mAnnotatorA, f.mAdminA),
				sessions:    sessionIDs(f.sAdminA),
				tokens:      tokenIDs(),
			}
		},
	},
	{
		// The owner of A also belongs to B: they see both organizations and
		// their own membership in B, but not B's other members.
		name: "owner of A, member of B",
		ctx:  (*fixture).asOwnerA,
		want: func(f *fixture) *visible {
			return &visible{
				orgs:        orgIDs(f.orgA, f.orgB),
				users:       userIDs(f.ownerA, f.annotatorA, f.adminA),
				memberships: membershipIDs(f.mOwnerA, f.mAnnotatorA, f.mAdminA, f.mOwnerAInB),
				sessions:    sessionIDs(f.sOwnerA),
				tokens:      tokenIDs(f.tOwnerA),
			}
		},
	},
	{
		name: "owner of B",
		ctx:  (*fixture).asOwnerB,
		want: func(f *fixture) *visible {
			return &visible{
				orgs:        orgIDs(f.orgB),
				users:       userIDs(f.ownerB, f.ownerA),
				memberships: membershipIDs(f.mOwnerB, f.mOwnerAInB),
				sessions:    sessionIDs(f.sOwnerB),
				tokens:      tokenIDs(f.tOwnerB),
			}
		},
	},
}

func TestReads(t *testing.T) {
	for _, vc := range viewerCases {
		t.Run(vc.name, func(t *testing.T) {
			f := MustSeed(t)
			ctx := vc.ctx(f)
			var want *visible
			if vc.want != nil {
				want = vc.want(f)
			}
			for _, e := range reads {
				t.Run(e.name, func(t *testing.T) {
					got, err := e.list(ctx, f)
					if want == nil {
						if !errors.Is(err, privacy.Deny) {
							t.Errorf("list: got %v, %v; want a privacy denial", got, err)
						}
						for _, id := range e.all(f) {
							if err := e.get(ctx, f, id); !errors.Is(err, privacy.Deny) {
								t.Errorf("get %d: got %v; want a privacy denial", id, err)
							}
						}
						return
					}
					if err != nil {
						t.Fatalf("list: %v", err)
					}
					slices.Sort(got)
					w := e.want(*want)
					if !slices.Equal(got, w) {
						t.Errorf("list: got ids %v, want %v", got, w)
					}
					for _, id := range e.all(f) {
						err := e.get(ctx, f, id)
						switch {
						case slices.Contains(w, id) && err != nil:
							t.Errorf("get %d (visible): %v", id, err)
						case !slices.Contains(w, id) && !ent.IsNotFound(err):
							t.Errorf("get %d (hidden): got %v; want not found", id, err)
						}
					}
				})
			}
			t.Run("Throttle", func(t *testing.T) {
				got, err := f.client.Throttle.Query().All(ctx)
				if !errors.Is(err, privacy.Deny) {
					t.Errorf("list: got %v, %v; want a privacy denial", got, err)
				}
				if _, err := f.client.Throttle.Get(ctx, f.throttle.ID); !errors.Is(err, privacy.Deny) {
					t.Errorf("get: got %v; want a privacy denial", err)
				}
			})
		})
	}
}

// TestSystemReadsEverything guards the fixture: the matrix above is only
// meaningful if the system viewer sees every row.
func TestSystemReadsEverything(t *testing.T) {
	f := MustSeed(t)
	for _, e := range reads {
		got, err := e.list(sys(), f)
		if err != nil {
			t.Fatalf("%s: %v", e.name, err)
		}
		slices.Sort(got)
		if want := e.all(f); !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", e.name, got, want)
		}
	}
	if n := f.client.Throttle.Query().CountX(sys()); n != 1 {
		t.Errorf("Throttle: got %d rows, want 1", n)
	}
}

// TestTraversalsAreFiltered checks that edges and eager loading apply the
// target entity's policy, so a hop through a visible row cannot reach a
// hidden one.
func TestTraversalsAreFiltered(t *testing.T) {
	f := MustSeed(t)
	ctx := f.asAnnotatorA()

	t.Run("memberships of a foreign organization", func(t *testing.T) {
		got, err := f.client.Organization.QueryMemberships(f.orgB).IDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 {
			t.Errorf("got memberships %v of organization B; want none", got)
		}
	})
	t.Run("sessions of a colleague", func(t *testing.T) {
		got, err := f.client.User.QuerySessions(f.ownerA).IDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 {
			t.Errorf("got sessions %v of the owner; want none", got)
		}
	})
	t.Run("API token of a colleague", func(t *testing.T) {
		_, err := f.client.User.QueryAPIToken(f.ownerA).Only(ctx)
		if !ent.IsNotFound(err) {
			t.Errorf("got %v; want not found", err)
		}
	})
	t.Run("user of a foreign membership", func(t *testing.T) {
		got, err := f.client.Membership.QueryUser(f.mOwnerB).IDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 {
			t.Errorf("got users %v through B's membership; want none", got)
		}
	})
	t.Run("eager-loaded sessions and tokens", func(t *testing.T) {
		users, err := f.client.User.Query().WithSessions().WithAPIToken().WithMemberships().All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(users) != 3 {
			t.Fatalf("got %d users, want 3", len(users))
		}
		for _, u := range users {
			wantSessions, wantToken := 0, false
			if u.ID == f.annotatorA.ID {
				wantSessions, wantToken = 2, true
			}
			if len(u.Edges.Sessions) != wantSessions {
				t.Errorf("user %d: got %d sessions, want %d", u.ID, len(u.Edges.Sessions), wantSessions)
			}
			if (u.Edges.APIToken != nil) != wantToken {
				t.Errorf("user %d: got API token %v, want present=%v", u.ID, u.Edges.APIToken, wantToken)
			}
			for _, m := range u.Edges.Memberships {
				if m.OrganizationID != f.orgA.ID {
					t.Errorf("user %d: loaded membership %d of organization %d", u.ID, m.ID, m.OrganizationID)
				}
			}
		}
	})
}

// outcome is what a mutation must end in.
type outcome int

const (
	allowed  outcome = iota // succeeds, and check sees the change
	denied                  // a privacy denial; nothing changes
	notFound                // the row is filtered out; nothing changes
)

func (o outcome) String() string {
	return [...]string{"allowed", "denied", "not found"}[o]
}

type mutationCase struct {
	name string
	ctx  func(f *fixture) context.Context
	op   func(ctx context.Context, f *fixture) error
	want outcome
	// check runs after an allowed mutation, as the system viewer.
	check func(t *testing.T, f *fixture)
}

func runMutations(t *testing.T, cases []mutationCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := MustSeed(t)
			before := f.snapshot(t)
			err := tc.op(tc.ctx(f), f)
			switch tc.want {
			case allowed:
				if err != nil {
					t.Fatalf("got %v; want success", err)
				}
				if tc.check == nil {
					t.Fatal("an allowed case needs a check")
				}
				tc.check(t, f)
				return
			case denied:
				if !errors.Is(err, privacy.Deny) {
					t.Fatalf("got %v; want a privacy denial", err)
				}
			case notFound:
				if !ent.IsNotFound(err) {
					t.Fatalf("got %v; want not found", err)
				}
			}
			if after := f.snapshot(t); after != before {
				t.Errorf("a refused mutation changed data:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

func title(t *testing.T, f *fixture, org *ent.Organization) string {
	t.Helper()
	return f.client.Organization.GetX(sys(), org.ID).Title
}

func TestOrganizationMutations(t *testing.T) {
	rename := func(org func(f *fixture) *ent.Organization) func(context.Context, *fixture) error {
		return func(ctx context.Context, f *fixture) error {
			return f.client.Organization.UpdateOneID(org(f).ID).SetTitle("Renamed").Exec(ctx)
		}
	}
	orgA := func(f *fixture) *ent.Organization { return f.orgA }
	orgB := func(f *fixture) *ent.Organization { return f.orgB }
	renamed := func(t *testing.T, f *fixture) {
		t.Helper()
		if got := title(t, f, f.orgA); got != "Renamed" {
			t.Errorf("organization A title: got %q, want %q", got, "Renamed")
		}
		if got := title(t, f, f.orgB); got != "Org B" {
			t.Errorf("organization B title changed to %q", got)
		}
	}
	runMutations(t, []mutationCase{
		{name: "anonymous renames A", ctx: (*fixture).anonymous, op: rename(orgA), want: denied},
		{name: "annotator renames own organization", ctx: (*fixture).asAnnotatorA, op: rename(orgA), want: denied},
		{name: "admin renames own organization", ctx: (*fixture).asAdminA, op: rename(orgA), want: allowed, check: renamed},
		{name: "owner renames own organization", ctx: (*fixture).asOwnerA, op: rename(orgA), want: allowed, check: renamed},
		{name: "admin of A renames B", ctx: (*fixture).asAdminA, op: rename(orgB), want: notFound},
		// The owner of A is a member of B too, but B is not their active
		// organization, and they are only an annotator there.
		{name: "owner of A renames B where they are a member", ctx: (*fixture).asOwnerA, op: rename(orgB), want: notFound},
		{name: "owner of B renames A", ctx: (*fixture).asOwnerB, op: rename(orgA), want: notFound},
		{
			name: "admin renames in bulk",
			ctx:  (*fixture).asAdminA,
			op: func(ctx context.Context, f *fixture) error {
				return f.client.Organization.Update().SetTitle("Renamed").Exec(ctx)
			},
			want: denied,
		},
		{
			name: "admin deletes own organization",
			ctx:  (*fixture).asAdminA,
			op: func(ctx context.Context, f *fixture) error {
				return f.client.Organization.DeleteOneID(f.orgA.ID).Exec(ctx)
			},
			want: denied,
		},
		{
			name: "owner creates an organization",
			ctx:  (*fixture).asOwnerA,
			op: func(ctx context.Context, f *fixture) error {
				return f.client.Organization.Create().SetTitle("New").Exec(ctx)
			},
			want: allowed,
			check: func(t *testing.T, f *fixture) {
				n, err := f.client.Organization.Query().Where(organization.Title("New")).Count(viewer.NewSystemContext(context.Background()))
				if err != nil || n != 1 {
					t.Fatalf("new organizations = %d, %v", n, err)
				}
			},
		},
		{
			name: "annotator creates a second default organization",
			ctx:  (*fixture).asAnnotatorA,
			op: func(ctx context.Context, f *fixture) error {
				return f.client.Organization.Create().SetTitle("Default too").SetIsDefault(true).Exec(ctx)
			},
			want: denied,
		},
	})
}

func TestUserMutations(t *testing.T) {
	setEmail := func(u func(f *fixture) *ent.User) func(context.Context, *fixture) error {
		return func(ctx context.Context, f *fixture) error {
			return f.client.User.UpdateOneID(u(f).ID).SetEmail("changed@x.test").Exec(ctx)
		}
	}
	annotator := func(f *fixture) *ent.User { return f.annotatorA }
	ownerA := func(f *fixture) *ent.User { return f.ownerA }
	runMutations(t, []mutationCase{
		{name: "anonymous changes a user", ctx: (*fixture).anonymous, op: setEmail(annotator), want: denied},
		{
			name: "annotator changes themself",
			ctx:  (*fixture).asAnnotatorA,
			op:   setEmail(annotator),
			want: allowed,
			check: func(t *testing.T, f *fixture) {
				if got := f.client.User.GetX(sys(), f.annotatorA.ID).Email; got != "changed@x.test" {
					t.Errorf("email: got %q", got)
				}
				if got := f.client.User.GetX(sys(), f.ownerA.ID).Email; got != "owner@a.test" {
					t.Errorf("owner's email changed to %q", got)
				}
			},
		},
		{name: "annotator changes the owner", ctx: (*fixture).asAnnotatorA, op: setEmail(ownerA), want: notFound},
		{name: "admin changes a member", ctx: (*fixture).asAdminA, op: setEmail(annotator), want: notFound},
		{name: "owner of B changes a user of A", ctx: (*fixture).asOwnerB, op: setEmail(annotator), want: notFound},
		{
			name: "annotator deactivates everyone",
			ctx:  (*fixture).asAnnotatorA,
			op: func(ctx context.Context, f *fixture) error {
				return f.client.User.Update().SetActive(false).Exec(ctx)
			},
			want: denied,
		},
		{
			name: "annotator deletes themself",
			ctx:  (*fixture).asAnnotatorA,
			op: func(ctx context.Context, f *fixture) error {
				return f.client.User.DeleteOneID(f.annotatorA.ID).Exec(ctx)
			},
			want: denied,
		},
		{
			name: "owner creates a user",
			ctx:  (*fixture).asOwnerA,
			op: func(ctx context.Context, f *fixture) error {
				return f.client.User.Create().SetEmail("new@a.test").SetPasswordHash("x").Exec(ctx)
			},
			want: denied,
		},
	})
}

func TestMembershipMutations(t *testing.T) {
	runMutations(t, []mutationCase{
		{
			name: "annotator joins B",
			ctx:  (*fixture).asAnnotatorA,
			op: func(ctx context.Context, f *fixture) error {
				return f.client.Membership.Create().SetUserID(f.annotatorA.ID).SetOrganizationID(f.orgB.ID).
					SetRole(membership.RoleOwner).Exec(ctx)
			},
			want: denied,
		},
		{
			name: "admin adds a user of B to A",
			ctx:  (*fixture).asAdminA,
			op: func(ctx context.Context, f *fixture) error {
				return f.client.Membership.Create().SetUserID(f.ownerB.ID).SetOrganizationID(f.orgA.ID).Exec(ctx)
			},
			want: denied,
		},
		{
			name: "annotator promotes themself",
			ctx:  (*fixture).asAnnotatorA,
			op: func(ctx context.Context, f *fixture) error {
				return f.client.Membership.UpdateOneID(f.mAnnotatorA.ID).SetRole(membership.RoleOwner).Exec(ctx)
			},
			want: denied,
		},
		{
			name: "owner changes a member's role",
			ctx:  (*fixture).asOwnerA,
			op: func(ctx context.Context, f *fixture) error {
				return f.client.Membership.UpdateOneID(f.mAnnotatorA.ID).SetRole(membership.RoleAdmin).Exec(ctx)
			},
			want: allowed,
			check: func(t *testing.T, f *fixture) {
				m, err := f.client.Membership.Get(viewer.NewSystemContext(context.Background()), f.mAnnotatorA.ID)
				if err != nil || m.Role != membership.RoleAdmin {
					t.Fatalf("role = %v, %v", m, err)
				}
			},
		},
		{
			name: "admin removes a member",
			ctx:  (*fixture).asAdminA,
			op: func(ctx context.Context, f *fixture) error {
				return f.client.Membership.DeleteOneID(f.mAnnotatorA.ID).Exec(ctx)
			},
			want: allowed,
			check: func(t *testing.T, f *fixture) {
				if _, err := f.client.Membership.Get(viewer.NewSystemContext(context.Background()), f.mAnnotatorA.ID); !ent.IsNotFound(err) {
					t.Fatalf("membership still there: %v", err)
				}
			},
		},
		{
			name: "annotator promotes themself",
			ctx:  (*fixture).asAnnotatorA,
			op: func(ctx context.Context, f *fixture) error {
				return f.client.Membership.UpdateOneID(f.mAnnotatorA.ID).SetRole(membership.RoleOwner).Exec(ctx)
			},
			want: denied,
		},
		{
			name: "admin of A changes a membership in B",
			ctx:  (*fixture).asAdminA,
			op: func(ctx context.Context, f *fixture) error {
				return f.client.Membership.UpdateOneID(f.mOwnerB.ID).SetRole(membership.RoleAnnotator).Exec(ctx)
			},
			want: notFound,
		},
		{
			name: "anonymous removes memberships",
			ctx:  (*fixture).anonymous,
			op: func(ctx context.Context, f *fixture) error {
				_, err := f.client.Membership.Delete().Exec(ctx)
				return err
			},
			want: denied,
		},
	})
}

func TestSessionMutations(t *testing.T) {
	revoke := func(s func(f *fixture) *ent.Session) func(context.Context, *fixture) error {
		return func(ctx context.Context, f *fixture) error {
			return f.client.Session.DeleteOneID(s(f).ID).Exec(ctx)
		}
	}
	sessions := func(t *testing.T, f *fixture) []int {
		t.Helper()
		got := f.client.Session.Query().IDsX(sys())
		slices.Sort(got)
		return got
	}
	runMutations(t, []mutationCase{
		{name: "anonymous revokes a session", ctx: (*fixture).anonymous, op: revoke(func(f *fixture) *ent.Session { return f.sAnnotatorA1 }), want: denied},
		{
			name: "annotator revokes own session",
			ctx:  (*fixture).asAnnotatorA,
			op:   revoke(func(f *fixture) *ent.Session { return f.sAnnotatorA1 }),
			want: allowed,
			check: func(t *testing.T, f *fixture) {
				want := sessionIDs(f.sOwnerA, f.sAnnotatorA2, f.sAdminA, f.sOwnerB)
				if got := sessions(t, f); !slices.Equal(got, want) {
					t.Errorf("sessions left: got %v, want %v", got, want)
				}
			},
		},
		{name: "annotator revokes the owner's session", ctx: (*fixture).asAnnotatorA, op: revoke(func(f *fixture) *ent.Session { return f.sOwnerA }), want: notFound},
		{name: "admin revokes a member's session", ctx: (*fixture).asAdminA, op: revoke(func(f *fixture) *ent.Session { return f.sAnnotatorA1 }), want: notFound},
		{name: "owner of B revokes a session in A", ctx: (*fixture).asOwnerB, op: revoke(func(f *fixture) *ent.Session { return f.sOwnerA }), want: notFound},
		{
			// A bulk delete is scoped by the same filter: it removes only
			// the viewer's own sessions.
			name: "annotator deletes every session",
			ctx:  (*fixture).asAnnotatorA,
			op: func(ctx context.Context, f *fixture) error {
				n, err := f.client.Session.Delete().Exec(ctx)
				if err == nil && n != 2 {
					return fmt.Errorf("deleted %d sessions, want 2", n)
				}
				return err
			},
			want: allowed,
			check: func(t *testing.T, f *fixture) {
				want := sessionIDs(f.sOwnerA, f.sAdminA, f.sOwnerB)
				if got := sessions(t, f); !slices.Equal(got, want) {
					t.Errorf("sessions left: got %v, want %v", got, want)
				}
			},
		},
		{
			name: "annotator extends own session",
			ctx:  (*fixture).asAnnotatorA,
			op: func(ctx context.Context, f *fixture) error {
				return f.client.Session.UpdateOneID(f.sAnnotatorA1.ID).
					SetExpiresAt(time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC)).Exec(ctx)
			},
			want: denied,
		},
		{
			name: "annotator creates a session",
			ctx:  (*fixture).asAnnotatorA,
			op: func(ctx context.Context, f *fixture) error {
				return f.client.Session.Create().SetUserID(f.annotatorA.ID).SetTokenHash(secret.Hash("forged")).
					SetLastSeenAt(time.Now()).SetExpiresAt(time.Now().Add(time.Hour)).Exec(ctx)
			},
			want: denied,
		},
	})
}

func TestAPITokenMutations(t *testing.T) {
	create := func(u func(f *fixture) *ent.User) func(context.Context, *fixture) error {
		return func(ctx context.Context, f *fixture) error {
			return f.client.APIToken.Create().SetUserID(u(f).ID).SetTokenHash(secret.Hash("new token")).Exec(ctx)
		}
	}
	tokens := func(t *testing.T, f *fixture) []int {
		t.Helper()
		got := f.client.APIToken.Query().IDsX(sys())
		slices.Sort(got)
		return got
	}
	runMutations(t, []mutationCase{
		{name: "anonymous creates a token", ctx: (*fixture).anonymous, op: create(func(f *fixture) *ent.User { return f.adminA }), want: denied},
		{
			name: "admin creates own token",
			ctx:  (*fixture).asAdminA,
			op:   create(func(f *fixture) *ent.User { return f.adminA }),
			want: allowed,
			check: func(t *testing.T, f *fixture) {
				tok, err := f.client.APIToken.Query().Where(apitoken.UserID(f.adminA.ID)).Only(sys())
				if err != nil {
					t.Fatal(err)
				}
				if string(tok.TokenHash) != string(secret.Hash("new token")) {
					t.Errorf("stored hash %x", tok.TokenHash)
				}
			},
		},
		{name: "annotator creates a token for the admin", ctx: (*fixture).asAnnotatorA, op: create(func(f *fixture) *ent.User { return f.adminA }), want: denied},
		{name: "owner creates a token for a member", ctx: (*fixture).asOwnerA, op: create(func(f *fixture) *ent.User { return f.adminA }), want: denied},
		{
			name: "annotator creates a token without a user",
			ctx:  (*fixture).asAnnotatorA,
			op: func(ctx context.Context, f *fixture) error {
				return f.client.APIToken.Create().SetTokenHash(secret.Hash("orphan")).Exec(ctx)
			},
			want: denied,
		},
		{
			name: "annotator removes own token",
			ctx:  (*fixture).asAnnotatorA,
			op: func(ctx context.Context, f *fixture) error {
				return f.client.APIToken.DeleteOneID(f.tAnnotatorA.ID).Exec(ctx)
			},
			want: allowed,
			check: func(t *testing.T, f *fixture) {
				if got, want := tokens(t, f), tokenIDs(f.tOwnerA, f.tOwnerB); !slices.Equal(got, want) {
					t.Errorf("tokens left: got %v, want %v", got, want)
				}
			},
		},
		{
			name: "annotator removes the owner's token",
			ctx:  (*fixture).asAnnotatorA,
			op: func(ctx context.Context, f *fixture) error {
				return f.client.APIToken.DeleteOneID(f.tOwnerA.ID).Exec(ctx)
			},
			want: notFound,
		},
		{
			name: "owner of B removes a token in A",
			ctx:  (*fixture).asOwnerB,
			op: func(ctx context.Context, f *fixture) error {
				return f.client.APIToken.DeleteOneID(f.tAnnotatorA.ID).Exec(ctx)
			},
			want: notFound,
		},
		{
			name: "annotator removes every token",
			ctx:  (*fixture).asAnnotatorA,
			op: func(ctx context.Context, f *fixture) error {
				n, err := f.client.APIToken.Delete().Exec(ctx)
				if err == nil && n != 1 {
					return fmt.Errorf("deleted %d tokens, want 1", n)
				}
				return err
			},
			want: allowed,
			check: func(t *testing.T, f *fixture) {
				if got, want := tokens(t, f), tokenIDs(f.tOwnerA, f.tOwnerB); !slices.Equal(got, want) {
					t.Errorf("tokens left: got %v, want %v", got, want)
				}
			},
		},
	})
}

func TestThrottleIsSystemOnly(t *testing.T) {
	var cases []mutationCase
	callers := []struct {
		name string
		ctx  func(f *fixture) context.Context
	}{
		{"anonymous", (*fixture).anonymous},
		{"annotator of A", (*fixture).asAnnotatorA},
		{"admin of A", (*fixture).asAdminA},
		{"owner of A", (*fixture).asOwnerA},
		{"owner of B", (*fixture).asOwnerB},
	}
	for _, c := range callers {
		cases = append(cases,
			mutationCase{
				name: c.name + " reads",
				ctx:  c.ctx,
				op: func(ctx context.Context, f *fixture) error {
					_, err := f.client.Throttle.Query().Count(ctx)
					return err
				},
				want: denied,
			},
			mutationCase{
				name: c.name + " creates",
				ctx:  c.ctx,
				op: func(ctx context.Context, f *fixture) error {
					return f.client.Throttle.Create().SetKey("ip:203.0.113.1").SetWindowStart(time.Now()).Exec(ctx)
				},
				want: denied,
			},
			mutationCase{
				name: c.name + " resets",
				ctx:  c.ctx,
				op: func(ctx context.Context, f *fixture) error {
					return f.client.Throttle.UpdateOneID(f.throttle.ID).SetFailures(0).Exec(ctx)
				},
				want: denied,
			},
			mutationCase{
				name: c.name + " deletes",
				ctx:  c.ctx,
				op: func(ctx context.Context, f *fixture) error {
					_, err := f.client.Throttle.Delete().Exec(ctx)
					return err
				},
				want: denied,
			},
		)
	}
	cases = append(cases, mutationCase{
		name: "system resets",
		ctx:  func(*fixture) context.Context { return sys() },
		op: func(ctx context.Context, f *fixture) error {
			return f.client.Throttle.UpdateOneID(f.throttle.ID).SetFailures(0).Exec(ctx)
		},
		want: allowed,
		check: func(t *testing.T, f *fixture) {
			if got := f.client.Throttle.GetX(sys(), f.throttle.ID).Failures; got != 0 {
				t.Errorf("failures: got %d, want 0", got)
			}
		},
	})
	runMutations(t, cases)
}
