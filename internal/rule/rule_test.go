package rule_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"gloss/ent"
	"gloss/ent/annotation"
	"gloss/ent/apitoken"
	"gloss/ent/auditevent"
	"gloss/ent/draft"
	"gloss/ent/enttest"
	"gloss/ent/invite"
	"gloss/ent/membership"
	"gloss/ent/organization"
	"gloss/ent/prediction"
	"gloss/ent/privacy"
	"gloss/ent/project"
	"gloss/ent/projectmember"
	_ "gloss/ent/runtime"
	"gloss/ent/session"
	"gloss/ent/storage"
	"gloss/ent/task"
	"gloss/ent/throttle"
	"gloss/ent/user"
	"gloss/ent/workspace"
	"gloss/internal/fault"
	"gloss/internal/rule"
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
			// An admin may change a member's active flag and nothing
			// else: clearing a field is a change too.
			name: "admin deactivates a member and clears their organization",
			ctx:  (*fixture).asAdminA,
			op: func(ctx context.Context, f *fixture) error {
				return f.client.User.UpdateOneID(f.annotatorA.ID).SetActive(false).ClearActiveOrganizationID().Exec(ctx)
			},
			want: notFound,
		},
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

// world extends the fixture with every other entity, for the policy tests
// of projects, tasks, annotations, predictions, workspaces, project
// members, invites and audit events. Organization A gains a manager, a
// reviewer and a second owner:
//
//	pManaged — project of A created by managerA; reviewerA and annotatorA are members
//	pOther   — project of A created by ownerA; nobody else is a member
//	pB       — project of B
//	wsOwner  — workspace of A created by ownerA (annotatorA a member, no projects)
//	wsManager — workspace of A created by managerA (reviewerA a member)
//	wsB      — workspace of B
//	tLocked  — task of pManaged handed to annotatorA (and annotated by them)
//	tFree    — task of pManaged nobody holds (annotated by reviewerA)
//	tOther, tB — the tasks of pOther and pB, annotated by their owners
type world struct {
	*fixture

	managerA, reviewerA, owner2A                *ent.User
	sharedAB                                    *ent.User // an annotator of A and of B
	mManagerA, mReviewerA, mOwner2A             *ent.Membership
	pManaged, pOther, pB                        *ent.Project
	wsOwner, wsManager, wsB                     *ent.Workspace
	pmReviewer, pmAnnotator, pmWsOwner, pmWsMgr *ent.ProjectMember
	pmB                                         *ent.ProjectMember
	tLocked, tFree, tOther, tB                  *ent.Task
	aAnnotator, aReviewer, aOther, aB           *ent.Annotation
	prManaged, prOther, prB                     *ent.Prediction
	invA, invB                                  *ent.Invite
	evA, evB, evServer                          *ent.AuditEvent
}

// MustWorld seeds the fixture and the world through the system viewer.
func MustWorld(tb testing.TB) *world {
	tb.Helper()
	w := &world{fixture: MustSeed(tb)}
	c, ctx := w.client, sys()
	newMember := func(email string, r membership.Role) (*ent.User, *ent.Membership) {
		u := c.User.Create().SetEmail(email).SetPasswordHash("hash").SetActiveOrganizationID(w.orgA.ID).SaveX(ctx)
		return u, c.Membership.Create().SetUserID(u.ID).SetOrganizationID(w.orgA.ID).SetRole(r).SaveX(ctx)
	}
	w.managerA, w.mManagerA = newMember("manager@a.test", membership.RoleManager)
	w.reviewerA, w.mReviewerA = newMember("reviewer@a.test", membership.RoleReviewer)
	w.owner2A, w.mOwner2A = newMember("owner2@a.test", membership.RoleOwner)
	w.sharedAB, _ = newMember("shared@ab.test", membership.RoleAnnotator)
	c.Membership.Create().SetUserID(w.sharedAB.ID).SetOrganizationID(w.orgB.ID).SetRole(membership.RoleAnnotator).SaveX(ctx)

	newProject := func(org *ent.Organization, by *ent.User, title string) *ent.Project {
		return c.Project.Create().SetOrganizationID(org.ID).SetCreatedByID(by.ID).SetTitle(title).
			SetLabelConfig(`<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="A"/></Choices></View>`).SaveX(ctx)
	}
	w.pManaged = newProject(w.orgA, w.managerA, "Managed")
	w.pOther = newProject(w.orgA, w.ownerA, "Other")
	w.pB = newProject(w.orgB, w.ownerB, "B")

	newWorkspace := func(org *ent.Organization, by *ent.User) *ent.Workspace {
		return c.Workspace.Create().SetOrganizationID(org.ID).SetCreatedByID(by.ID).SetTitle("WS").SaveX(ctx)
	}
	w.wsOwner = newWorkspace(w.orgA, w.ownerA)
	w.wsManager = newWorkspace(w.orgA, w.managerA)
	w.wsB = newWorkspace(w.orgB, w.ownerB)

	onProject := func(p *ent.Project, u *ent.User) *ent.ProjectMember {
		return c.ProjectMember.Create().SetOrganizationID(p.OrganizationID).SetProjectID(p.ID).SetUserID(u.ID).SaveX(ctx)
	}
	onWorkspace := func(ws *ent.Workspace, u *ent.User) *ent.ProjectMember {
		return c.ProjectMember.Create().SetOrganizationID(ws.OrganizationID).SetWorkspaceID(ws.ID).SetUserID(u.ID).SaveX(ctx)
	}
	w.pmReviewer = onProject(w.pManaged, w.reviewerA)
	w.pmAnnotator = onProject(w.pManaged, w.annotatorA)
	w.pmWsOwner = onWorkspace(w.wsOwner, w.annotatorA)
	w.pmWsMgr = onWorkspace(w.wsManager, w.reviewerA)
	w.pmB = onProject(w.pB, w.ownerB)

	newTask := func(p *ent.Project, n int) *ent.Task {
		return c.Task.Create().SetProjectID(p.ID).SetOrganizationID(p.OrganizationID).SetInnerID(n).
			SetData(json.RawMessage(`{"text":"hello"}`)).SaveX(ctx)
	}
	w.tLocked = newTask(w.pManaged, 1)
	w.tLocked = c.Task.UpdateOne(w.tLocked).SetLockedByID(w.annotatorA.ID).SetLockedUntil(time.Now().Add(time.Hour)).
		SetMeta(json.RawMessage(`{"source":"batch 1"}`)).SaveX(ctx)
	w.tFree = newTask(w.pManaged, 2)
	w.tOther = newTask(w.pOther, 1)
	w.tB = newTask(w.pB, 1)

	annotate := func(t *ent.Task, by *ent.User) *ent.Annotation {
		return c.Annotation.Create().SetTaskID(t.ID).SetProjectID(t.ProjectID).SetOrganizationID(t.OrganizationID).
			SetCompletedByID(by.ID).SetResult(json.RawMessage(`[]`)).SaveX(ctx)
	}
	w.aAnnotator = annotate(w.tLocked, w.annotatorA)
	w.aReviewer = annotate(w.tFree, w.reviewerA)
	w.aOther = annotate(w.tOther, w.ownerA)
	w.aB = annotate(w.tB, w.ownerB)

	predict := func(t *ent.Task) *ent.Prediction {
		return c.Prediction.Create().SetTaskID(t.ID).SetOrganizationID(t.OrganizationID).SetResult(json.RawMessage(`[]`)).SaveX(ctx)
	}
	w.prManaged = predict(w.tLocked)
	w.prOther = predict(w.tOther)
	w.prB = predict(w.tB)

	w.invA = c.Invite.Create().SetOrganizationID(w.orgA.ID).SetCreatedByID(w.adminA.ID).SetRole(invite.RoleAnnotator).
		SetTokenHash(secret.Hash("invite A")).SaveX(ctx)
	w.invB = c.Invite.Create().SetOrganizationID(w.orgB.ID).SetCreatedByID(w.ownerB.ID).SetRole(invite.RoleAdmin).
		SetTokenHash(secret.Hash("invite B")).SaveX(ctx)

	event := func(org *int, action string) *ent.AuditEvent {
		return c.AuditEvent.Create().SetNillableOrganizationID(org).SetAction(action).
			SetPrevHash([]byte{0}).SetHash([]byte{1}).SaveX(ctx)
	}
	w.evA = event(&w.orgA.ID, "a.happened")
	w.evB = event(&w.orgB.ID, "b.happened")
	w.evServer = event(nil, "server.started")
	return w
}

func (w *world) asManagerA() context.Context { return as(w.managerA, w.orgA, membership.RoleManager) }
func (w *world) asReviewerA() context.Context {
	return as(w.reviewerA, w.orgA, membership.RoleReviewer)
}

// snapshotAll renders every row of every entity, the fixture's and the
// world's, as the system viewer sees it.
func (w *world) snapshotAll(tb testing.TB) string {
	tb.Helper()
	ctx := sys()
	var s strings.Builder
	s.WriteString(w.snapshot(tb))
	for _, x := range w.client.Project.Query().Order(ent.Asc(project.FieldID)).AllX(ctx) {
		fmt.Fprintf(&s, "%v\n", x)
	}
	for _, x := range w.client.Workspace.Query().Order(ent.Asc(workspace.FieldID)).AllX(ctx) {
		fmt.Fprintf(&s, "%v\n", x)
	}
	for _, x := range w.client.ProjectMember.Query().Order(ent.Asc(projectmember.FieldID)).AllX(ctx) {
		fmt.Fprintf(&s, "%v\n", x)
	}
	for _, x := range w.client.Task.Query().Order(ent.Asc(task.FieldID)).AllX(ctx) {
		fmt.Fprintf(&s, "%v\n", x)
	}
	for _, x := range w.client.Annotation.Query().Order(ent.Asc(annotation.FieldID)).AllX(ctx) {
		fmt.Fprintf(&s, "%v\n", x)
	}
	for _, x := range w.client.Prediction.Query().Order(ent.Asc(prediction.FieldID)).AllX(ctx) {
		fmt.Fprintf(&s, "%v\n", x)
	}
	for _, x := range w.client.Invite.Query().Order(ent.Asc(invite.FieldID)).AllX(ctx) {
		fmt.Fprintf(&s, "%v hash=%x\n", x, x.TokenHash)
	}
	for _, x := range w.client.AuditEvent.Query().Order(ent.Asc(auditevent.FieldID)).AllX(ctx) {
		fmt.Fprintf(&s, "%v\n", x)
	}
	return s.String()
}

// worldReader lists one entity's ids as a viewer sees them.
type worldReader struct {
	name string
	list func(ctx context.Context, w *world) ([]int, error)
	all  func(w *world) []int
}

func idsOf[T any](id func(T) int, xs ...T) []int { return ids(xs, id) }

var worldReaders = []worldReader{
	{"Project", func(ctx context.Context, w *world) ([]int, error) { return w.client.Project.Query().IDs(ctx) },
		func(w *world) []int {
			return idsOf(func(x *ent.Project) int { return x.ID }, w.pManaged, w.pOther, w.pB)
		}},
	{"Workspace", func(ctx context.Context, w *world) ([]int, error) { return w.client.Workspace.Query().IDs(ctx) },
		func(w *world) []int {
			return idsOf(func(x *ent.Workspace) int { return x.ID }, w.wsOwner, w.wsManager, w.wsB)
		}},
	{"ProjectMember", func(ctx context.Context, w *world) ([]int, error) { return w.client.ProjectMember.Query().IDs(ctx) },
		func(w *world) []int {
			return idsOf(func(x *ent.ProjectMember) int { return x.ID }, w.pmReviewer, w.pmAnnotator, w.pmWsOwner, w.pmWsMgr, w.pmB)
		}},
	{"Task", func(ctx context.Context, w *world) ([]int, error) { return w.client.Task.Query().IDs(ctx) },
		func(w *world) []int {
			return idsOf(func(x *ent.Task) int { return x.ID }, w.tLocked, w.tFree, w.tOther, w.tB)
		}},
	{"Annotation", func(ctx context.Context, w *world) ([]int, error) { return w.client.Annotation.Query().IDs(ctx) },
		func(w *world) []int {
			return idsOf(func(x *ent.Annotation) int { return x.ID }, w.aAnnotator, w.aReviewer, w.aOther, w.aB)
		}},
	{"Prediction", func(ctx context.Context, w *world) ([]int, error) { return w.client.Prediction.Query().IDs(ctx) },
		func(w *world) []int {
			return idsOf(func(x *ent.Prediction) int { return x.ID }, w.prManaged, w.prOther, w.prB)
		}},
	{"Invite", func(ctx context.Context, w *world) ([]int, error) { return w.client.Invite.Query().IDs(ctx) },
		func(w *world) []int { return idsOf(func(x *ent.Invite) int { return x.ID }, w.invA, w.invB) }},
	{"AuditEvent", func(ctx context.Context, w *world) ([]int, error) { return w.client.AuditEvent.Query().IDs(ctx) },
		func(w *world) []int {
			return idsOf(func(x *ent.AuditEvent) int { return x.ID }, w.evA, w.evB, w.evServer)
		}},
}

// TestWorldReads is the read matrix of the entities the services work on:
// for each viewer, the rows of each entity it sees (filtered), or a denial.
// It talks to ent directly, so it proves the policies, not the services.
func TestWorldReads(t *testing.T) {
	type seen map[string][]int // entity → visible ids; a missing entity is denied
	p := func(xs ...*ent.Project) []int { return idsOf(func(x *ent.Project) int { return x.ID }, xs...) }
	ws := func(xs ...*ent.Workspace) []int { return idsOf(func(x *ent.Workspace) int { return x.ID }, xs...) }
	pm := func(xs ...*ent.ProjectMember) []int {
		return idsOf(func(x *ent.ProjectMember) int { return x.ID }, xs...)
	}
	tk := func(xs ...*ent.Task) []int { return idsOf(func(x *ent.Task) int { return x.ID }, xs...) }
	an := func(xs ...*ent.Annotation) []int { return idsOf(func(x *ent.Annotation) int { return x.ID }, xs...) }
	pr := func(xs ...*ent.Prediction) []int { return idsOf(func(x *ent.Prediction) int { return x.ID }, xs...) }
	inv := func(xs ...*ent.Invite) []int { return idsOf(func(x *ent.Invite) int { return x.ID }, xs...) }
	ev := func(xs ...*ent.AuditEvent) []int { return idsOf(func(x *ent.AuditEvent) int { return x.ID }, xs...) }
	cases := []struct {
		name string
		ctx  func(w *world) context.Context
		want func(w *world) seen
	}{
		{"anonymous", func(w *world) context.Context { return w.anonymous() }, func(*world) seen { return seen{} }},
		// Workspaces: below admin, those a viewer is a member of, that
		// hold a project of theirs, or (managers) that they created.
		{"annotator of A", func(w *world) context.Context { return w.asAnnotatorA() }, func(w *world) seen {
			return seen{
				"Project": p(w.pManaged), "Workspace": ws(w.wsOwner),
				"ProjectMember": pm(w.pmReviewer, w.pmAnnotator, w.pmWsOwner),
				// Only the task handed to them, and only their own annotation.
				"Task": tk(w.tLocked), "Annotation": an(w.aAnnotator), "Prediction": pr(w.prManaged),
			}
		}},
		{"reviewer of A", func(w *world) context.Context { return w.asReviewerA() }, func(w *world) seen {
			return seen{
				"Project": p(w.pManaged), "Workspace": ws(w.wsManager),
				"ProjectMember": pm(w.pmReviewer, w.pmAnnotator, w.pmWsMgr),
				"Task":          tk(w.tLocked, w.tFree), "Annotation": an(w.aAnnotator, w.aReviewer), "Prediction": pr(w.prManaged),
			}
		}},
		{"manager of A", func(w *world) context.Context { return w.asManagerA() }, func(w *world) seen {
			return seen{
				"Project": p(w.pManaged), "Workspace": ws(w.wsManager),
				"ProjectMember": pm(w.pmReviewer, w.pmAnnotator, w.pmWsMgr),
				"Task":          tk(w.tLocked, w.tFree), "Annotation": an(w.aAnnotator, w.aReviewer), "Prediction": pr(w.prManaged),
			}
		}},
		{"admin of A", func(w *world) context.Context { return w.asAdminA() }, func(w *world) seen {
			return seen{
				"Project": p(w.pManaged, w.pOther), "Workspace": ws(w.wsOwner, w.wsManager),
				"ProjectMember": pm(w.pmReviewer, w.pmAnnotator, w.pmWsOwner, w.pmWsMgr),
				"Task":          tk(w.tLocked, w.tFree, w.tOther), "Annotation": an(w.aAnnotator, w.aReviewer, w.aOther),
				"Prediction": pr(w.prManaged, w.prOther), "Invite": inv(w.invA), "AuditEvent": ev(w.evA),
			}
		}},
		{"owner of A", func(w *world) context.Context { return w.asOwnerA() }, func(w *world) seen {
			return seen{
				"Project": p(w.pManaged, w.pOther), "Workspace": ws(w.wsOwner, w.wsManager),
				"ProjectMember": pm(w.pmReviewer, w.pmAnnotator, w.pmWsOwner, w.pmWsMgr),
				"Task":          tk(w.tLocked, w.tFree, w.tOther), "Annotation": an(w.aAnnotator, w.aReviewer, w.aOther),
				"Prediction": pr(w.prManaged, w.prOther), "Invite": inv(w.invA), "AuditEvent": ev(w.evA),
			}
		}},
		{"owner of B", func(w *world) context.Context { return w.asOwnerB() }, func(w *world) seen {
			return seen{
				"Project": p(w.pB), "Workspace": ws(w.wsB), "ProjectMember": pm(w.pmB),
				"Task": tk(w.tB), "Annotation": an(w.aB), "Prediction": pr(w.prB),
				"Invite": inv(w.invB), "AuditEvent": ev(w.evB),
			}
		}},
	}
	w := MustWorld(t)
	for _, r := range worldReaders {
		got, err := r.list(sys(), w)
		slices.Sort(got)
		if err != nil || !slices.Equal(got, r.all(w)) {
			t.Fatalf("system reads %s: got %v, %v; want %v", r.name, got, err, r.all(w))
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want(w)
			for _, r := range worldReaders {
				got, err := r.list(tc.ctx(w), w)
				ids, ok := want[r.name]
				switch {
				case !ok && !errors.Is(err, privacy.Deny):
					t.Errorf("%s: got %v, %v; want a privacy denial", r.name, got, err)
				case ok && err != nil:
					t.Errorf("%s: %v", r.name, err)
				case ok:
					slices.Sort(got)
					if !slices.Equal(got, ids) {
						t.Errorf("%s: got ids %v, want %v", r.name, got, ids)
					}
				}
			}
		})
	}
}

// worldCase is a mutation through plain ent as some viewer of the world.
type worldCase struct {
	name  string
	ctx   func(w *world) context.Context
	op    func(ctx context.Context, w *world) error
	want  outcome
	check func(t *testing.T, w *world) // after an allowed mutation, as the system
}

// invalid is the outcome of a refusal that is about the data, not the
// viewer: a BAD_USER_INPUT fault, with nothing changed.
const invalid outcome = 100

func runWorld(t *testing.T, cases []worldCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := MustWorld(t)
			before := w.snapshotAll(t)
			err := tc.op(tc.ctx(w), w)
			switch tc.want {
			case allowed:
				if err != nil {
					t.Fatalf("got %v; want success", err)
				}
				if tc.check == nil {
					t.Fatal("an allowed case needs a check")
				}
				tc.check(t, w)
				return
			case denied:
				if !errors.Is(err, privacy.Deny) {
					t.Fatalf("got %v; want a privacy denial", err)
				}
			case notFound:
				if !ent.IsNotFound(err) {
					t.Fatalf("got %v; want not found", err)
				}
			case invalid:
				if f := fault.As(err); f == nil || f.Code != fault.BadInput {
					t.Fatalf("got %v; want BAD_USER_INPUT", err)
				}
			}
			if after := w.snapshotAll(t); after != before {
				t.Errorf("a refused mutation changed data:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// forbidden checks that a denial reaches the client as FORBIDDEN with
// the rule's own message, as the services' pre-checks used to answer.
func forbidden(t *testing.T, err error, message string) {
	t.Helper()
	if !errors.Is(err, privacy.Deny) {
		t.Fatalf("got %v; want a privacy denial", err)
	}
	if code, msg := fault.Classify(context.Background(), err); code != fault.Forbidden || msg != message {
		t.Errorf("client sees %s %q; want FORBIDDEN %q", code, msg, message)
	}
}

var (
	asAnonymous = func(w *world) context.Context { return w.anonymous() }
	asAnnotator = func(w *world) context.Context { return w.asAnnotatorA() }
	asReviewer  = func(w *world) context.Context { return w.asReviewerA() }
	asManager   = func(w *world) context.Context { return w.asManagerA() }
	asAdmin     = func(w *world) context.Context { return w.asAdminA() }
	asOwner     = func(w *world) context.Context { return w.asOwnerA() }
	asOwnerOfB  = func(w *world) context.Context { return w.asOwnerB() }
)

func role(w *world, m *ent.Membership) membership.Role {
	return w.client.Membership.GetX(sys(), m.ID).Role
}

// TestOwnerOnlyGrants: giving the owner role, changing or removing an
// owner's membership, deactivating an owner, inviting an owner and
// deleting an organization are owners' alone, whatever code path writes
// through ent.
func TestOwnerOnlyGrants(t *testing.T) {
	promote := func(m func(w *world) *ent.Membership, r membership.Role) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			return w.client.Membership.UpdateOneID(m(w).ID).SetRole(r).Exec(ctx)
		}
	}
	annotatorM := func(w *world) *ent.Membership { return w.mAnnotatorA }
	owner2M := func(w *world) *ent.Membership { return w.mOwner2A }
	adminM := func(w *world) *ent.Membership { return w.mAdminA }
	runWorld(t, []worldCase{
		{name: "admin makes a member an owner", ctx: asAdmin, op: promote(annotatorM, membership.RoleOwner), want: denied},
		{name: "admin makes themself an owner", ctx: asAdmin, op: promote(adminM, membership.RoleOwner), want: denied},
		{name: "manager makes themself an owner", ctx: asManager,
			op: func(ctx context.Context, w *world) error {
				return w.client.Membership.UpdateOneID(w.mManagerA.ID).SetRole(membership.RoleOwner).Exec(ctx)
			}, want: denied},
		{name: "admin demotes an owner", ctx: asAdmin, op: promote(owner2M, membership.RoleAnnotator), want: denied},
		{name: "admin removes an owner", ctx: asAdmin, op: func(ctx context.Context, w *world) error {
			return w.client.Membership.DeleteOneID(w.mOwner2A.ID).Exec(ctx)
		}, want: denied},
		{name: "admin makes everyone an owner in bulk", ctx: asAdmin, op: func(ctx context.Context, w *world) error {
			return w.client.Membership.Update().SetRole(membership.RoleOwner).Exec(ctx)
		}, want: denied},
		{name: "admin makes a membership of B an owner", ctx: asAdmin, op: promote(func(w *world) *ent.Membership { return w.mOwnerAInB }, membership.RoleOwner), want: denied},
		{
			// A bulk change by an admin is held to the non-owners of their
			// organization: the owners and B stay as they were.
			name: "admin demotes everyone in bulk", ctx: asAdmin,
			op: func(ctx context.Context, w *world) error {
				return w.client.Membership.Update().SetRole(membership.RoleAnnotator).Exec(ctx)
			},
			want: allowed,
			check: func(t *testing.T, w *world) {
				for m, want := range map[*ent.Membership]membership.Role{
					w.mOwnerA: membership.RoleOwner, w.mOwner2A: membership.RoleOwner, w.mOwnerB: membership.RoleOwner,
					w.mOwnerAInB: membership.RoleAnnotator, w.mManagerA: membership.RoleAnnotator, w.mAdminA: membership.RoleAnnotator,
				} {
					if got := role(w, m); got != want {
						t.Errorf("membership %d: role %s, want %s", m.ID, got, want)
					}
				}
			},
		},
		{name: "admin changes a member's role", ctx: asAdmin, op: promote(annotatorM, membership.RoleReviewer), want: allowed,
			check: func(t *testing.T, w *world) {
				if got := role(w, w.mAnnotatorA); got != membership.RoleReviewer {
					t.Errorf("role %s", got)
				}
			}},
		{name: "owner makes a member an owner", ctx: asOwner, op: promote(annotatorM, membership.RoleOwner), want: allowed,
			check: func(t *testing.T, w *world) {
				if got := role(w, w.mAnnotatorA); got != membership.RoleOwner {
					t.Errorf("role %s", got)
				}
			}},
		{name: "owner demotes another owner", ctx: asOwner, op: promote(owner2M, membership.RoleAdmin), want: allowed,
			check: func(t *testing.T, w *world) {
				if got := role(w, w.mOwner2A); got != membership.RoleAdmin {
					t.Errorf("role %s", got)
				}
			}},
		{name: "owner of B makes an owner in A", ctx: asOwnerOfB, op: promote(annotatorM, membership.RoleOwner), want: notFound},
		{name: "annotator leaves", ctx: asAnnotator, op: func(ctx context.Context, w *world) error {
			return w.client.Membership.DeleteOneID(w.mAnnotatorA.ID).Exec(ctx)
		}, want: allowed, check: func(t *testing.T, w *world) {
			if _, err := w.client.Membership.Get(sys(), w.mAnnotatorA.ID); !ent.IsNotFound(err) {
				t.Errorf("membership still there: %v", err)
			}
		}},
		{name: "annotator removes the manager", ctx: asAnnotator, op: func(ctx context.Context, w *world) error {
			return w.client.Membership.DeleteOneID(w.mManagerA.ID).Exec(ctx)
		}, want: denied},
		{name: "admin deactivates an owner", ctx: asAdmin, op: func(ctx context.Context, w *world) error {
			return w.client.User.UpdateOneID(w.owner2A.ID).SetActive(false).Exec(ctx)
		}, want: denied},
		{name: "admin deactivates an annotator", ctx: asAdmin, op: func(ctx context.Context, w *world) error {
			return w.client.User.UpdateOneID(w.annotatorA.ID).SetActive(false).Exec(ctx)
		}, want: allowed, check: func(t *testing.T, w *world) {
			if w.client.User.GetX(sys(), w.annotatorA.ID).Active {
				t.Error("still active")
			}
		}},
		{name: "owner deactivates a member who belongs to B too", ctx: asOwner, op: func(ctx context.Context, w *world) error {
			return w.client.User.UpdateOneID(w.sharedAB.ID).SetActive(false).Exec(ctx)
		}, want: denied},
		{name: "admin deactivates a member who belongs to B too", ctx: asAdmin, op: func(ctx context.Context, w *world) error {
			return w.client.User.UpdateOneID(w.sharedAB.ID).SetActive(false).Exec(ctx)
		}, want: denied},
		{name: "owner deactivates an owner", ctx: asOwner, op: func(ctx context.Context, w *world) error {
			return w.client.User.UpdateOneID(w.owner2A.ID).SetActive(false).Exec(ctx)
		}, want: allowed, check: func(t *testing.T, w *world) {
			if w.client.User.GetX(sys(), w.owner2A.ID).Active {
				t.Error("still active")
			}
		}},
		{name: "admin invites an owner", ctx: asAdmin, op: newInvite(invite.RoleOwner, nil), want: denied},
		{name: "manager invites an annotator", ctx: asManager, op: newInvite(invite.RoleAnnotator, nil), want: denied},
		{name: "admin invites an admin", ctx: asAdmin, op: newInvite(invite.RoleAdmin, nil), want: allowed, check: invited(invite.RoleAdmin)},
		{name: "owner invites an owner", ctx: asOwner, op: newInvite(invite.RoleOwner, nil), want: allowed, check: invited(invite.RoleOwner)},
		{name: "admin deletes their organization", ctx: asAdmin, op: func(ctx context.Context, w *world) error {
			return w.client.Organization.DeleteOneID(w.orgA.ID).Exec(ctx)
		}, want: denied},
		{name: "owner of A deletes B", ctx: asOwner, op: func(ctx context.Context, w *world) error {
			return w.client.Organization.DeleteOneID(w.orgB.ID).Exec(ctx)
		}, want: denied},
	})

	t.Run("the client sees why", func(t *testing.T) {
		w := MustWorld(t)
		forbidden(t, promote(annotatorM, membership.RoleOwner)(w.asAdminA(), w), "only owners make, change or remove owners")
		forbidden(t, promote(owner2M, membership.RoleAdmin)(w.asAdminA(), w), "only owners make, change or remove owners")
		forbidden(t, w.client.User.UpdateOneID(w.owner2A.ID).SetActive(false).Exec(w.asAdminA()), "only owners make, change or remove owners")
		forbidden(t, newInvite(invite.RoleOwner, nil)(w.asAdminA(), w), "only owners invite owners")
		forbidden(t, w.client.Organization.DeleteOneID(w.orgA.ID).Exec(w.asAdminA()), "only owners delete an organization")
		forbidden(t, w.client.Membership.DeleteOneID(w.mManagerA.ID).Exec(w.asAnnotatorA()), "only owners and admins manage members")
	})

	t.Run("owners delete their organization, but not the default one", func(t *testing.T) {
		w := MustWorld(t)
		empty := w.client.Organization.Create().SetTitle("Empty").SaveX(sys())
		def := w.client.Organization.Create().SetTitle("Default").SetIsDefault(true).SaveX(sys())
		if err := w.client.Organization.DeleteOneID(def.ID).Exec(as(w.ownerA, def, membership.RoleOwner)); fault.As(err) == nil || fault.As(err).Code != fault.BadInput {
			t.Errorf("deleting the default organization: got %v; want BAD_USER_INPUT", err)
		}
		if err := w.client.Organization.DeleteOneID(empty.ID).Exec(as(w.ownerA, empty, membership.RoleAdmin)); !errors.Is(err, privacy.Deny) {
			t.Errorf("an admin deleting: got %v; want a denial", err)
		}
		if n := w.client.Organization.Query().CountX(sys()); n != 4 {
			t.Fatalf("%d organizations after refusals, want 4", n)
		}
		if err := w.client.Organization.DeleteOneID(empty.ID).Exec(as(w.ownerA, empty, membership.RoleOwner)); err != nil {
			t.Fatalf("owner deleting: %v", err)
		}
		if _, err := w.client.Organization.Get(sys(), empty.ID); !ent.IsNotFound(err) {
			t.Errorf("organization still there: %v", err)
		}
	})
}

func newInvite(r invite.Role, project func(w *world) *ent.Project) func(context.Context, *world) error {
	return func(ctx context.Context, w *world) error {
		v := viewer.FromContext(ctx)
		by := 0
		if v != nil {
			by = v.UserID
		}
		c := w.client.Invite.Create().SetOrganizationID(w.orgA.ID).SetCreatedByID(by).SetRole(r).
			SetTokenHash(secret.Hash("new invite"))
		if project != nil {
			c.SetProjectID(project(w).ID)
		}
		return c.Exec(ctx)
	}
}

func invited(r invite.Role) func(t *testing.T, w *world) {
	return func(t *testing.T, w *world) {
		t.Helper()
		got, err := w.client.Invite.Query().Where(invite.TokenHash(secret.Hash("new invite"))).Only(sys())
		if err != nil || got.Role != r {
			t.Fatalf("invite = %v, %v; want role %s", got, err, r)
		}
	}
}

func TestInviteMutations(t *testing.T) {
	runWorld(t, []worldCase{
		{name: "anonymous invites", ctx: asAnonymous, op: newInvite(invite.RoleAnnotator, nil), want: denied},
		{name: "annotator invites", ctx: asAnnotator, op: newInvite(invite.RoleAnnotator, nil), want: denied},
		{name: "admin invites into a project", ctx: asAdmin, op: newInvite(invite.RoleAnnotator, func(w *world) *ent.Project { return w.pOther }),
			want: allowed, check: invited(invite.RoleAnnotator)},
		{name: "admin invites into a project of B", ctx: asAdmin, op: newInvite(invite.RoleAnnotator, func(w *world) *ent.Project { return w.pB }), want: denied},
		{name: "owner of B invites into A", ctx: asOwnerOfB, op: newInvite(invite.RoleAnnotator, nil), want: denied},
		{name: "admin revokes an invite", ctx: asAdmin, op: func(ctx context.Context, w *world) error {
			return w.client.Invite.UpdateOneID(w.invA.ID).SetRevoked(true).Exec(ctx)
		}, want: allowed, check: func(t *testing.T, w *world) {
			if !w.client.Invite.GetX(sys(), w.invA.ID).Revoked {
				t.Error("not revoked")
			}
		}},
		{name: "manager revokes an invite", ctx: asManager, op: func(ctx context.Context, w *world) error {
			return w.client.Invite.UpdateOneID(w.invA.ID).SetRevoked(true).Exec(ctx)
		}, want: denied},
		{name: "admin revokes an invite of B", ctx: asAdmin, op: func(ctx context.Context, w *world) error {
			return w.client.Invite.UpdateOneID(w.invB.ID).SetRevoked(true).Exec(ctx)
		}, want: notFound},
		{name: "admin deletes every invite", ctx: asAdmin, op: func(ctx context.Context, w *world) error {
			n, err := w.client.Invite.Delete().Exec(ctx)
			if err == nil && n != 1 {
				return fmt.Errorf("deleted %d invites, want 1", n)
			}
			return err
		}, want: allowed, check: func(t *testing.T, w *world) {
			if got := w.client.Invite.Query().IDsX(sys()); !slices.Equal(got, []int{w.invB.ID}) {
				t.Errorf("invites left %v, want B's", got)
			}
		}},
	})
}

func TestProjectMutations(t *testing.T) {
	create := func(org func(w *world) *ent.Organization) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			return w.client.Project.Create().SetOrganizationID(org(w).ID).SetCreatedByID(viewerID(ctx)).
				SetTitle("New").SetLabelConfig(w.pManaged.LabelConfig).Exec(ctx)
		}
	}
	orgA := func(w *world) *ent.Organization { return w.orgA }
	orgB := func(w *world) *ent.Organization { return w.orgB }
	rename := func(p func(w *world) *ent.Project) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			return w.client.Project.UpdateOneID(p(w).ID).SetTitle("Renamed").Exec(ctx)
		}
	}
	managed := func(w *world) *ent.Project { return w.pManaged }
	other := func(w *world) *ent.Project { return w.pOther }
	renamed := func(p func(w *world) *ent.Project) func(t *testing.T, w *world) {
		return func(t *testing.T, w *world) {
			if got := w.client.Project.GetX(sys(), p(w).ID).Title; got != "Renamed" {
				t.Errorf("title %q", got)
			}
		}
	}
	place := func(p func(w *world) *ent.Project, ws func(w *world) *ent.Workspace) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			return w.client.Project.UpdateOneID(p(w).ID).SetWorkspaceID(ws(w).ID).Exec(ctx)
		}
	}
	created := func(t *testing.T, w *world) {
		if n := w.client.Project.Query().Where(project.Title("New")).CountX(sys()); n != 1 {
			t.Errorf("%d new projects", n)
		}
	}
	runWorld(t, []worldCase{
		{name: "anonymous creates", ctx: asAnonymous, op: create(orgA), want: denied},
		{name: "annotator creates", ctx: asAnnotator, op: create(orgA), want: denied},
		{name: "reviewer creates", ctx: asReviewer, op: create(orgA), want: denied},
		{name: "manager creates", ctx: asManager, op: create(orgA), want: allowed, check: created},
		{name: "manager creates in B", ctx: asManager, op: create(orgB), want: denied},
		{name: "manager renames their project", ctx: asManager, op: rename(managed), want: allowed, check: renamed(managed)},
		{name: "manager renames another project", ctx: asManager, op: rename(other), want: notFound},
		{name: "reviewer renames their project", ctx: asReviewer, op: rename(managed), want: denied},
		{name: "admin renames any project", ctx: asAdmin, op: rename(other), want: allowed, check: renamed(other)},
		{name: "owner of B renames a project of A", ctx: asOwnerOfB, op: rename(managed), want: notFound},
		{name: "manager renames every project", ctx: asManager, op: func(ctx context.Context, w *world) error {
			return w.client.Project.Update().SetTitle("Renamed").Exec(ctx)
		}, want: allowed, check: func(t *testing.T, w *world) {
			if got := w.client.Project.GetX(sys(), w.pOther.ID).Title; got != "Other" {
				t.Errorf("another project renamed to %q", got)
			}
			renamed(managed)(t, w)
		}},
		{name: "manager places their project in their workspace", ctx: asManager,
			op: place(managed, func(w *world) *ent.Workspace { return w.wsManager }), want: allowed,
			check: func(t *testing.T, w *world) {
				if got := w.client.Project.GetX(sys(), w.pManaged.ID).WorkspaceID; got == nil || *got != w.wsManager.ID {
					t.Errorf("workspace %v", got)
				}
			}},
		{name: "manager places their project in the owner's workspace", ctx: asManager,
			op: place(managed, func(w *world) *ent.Workspace { return w.wsOwner }), want: denied},
		{name: "admin places a project in a workspace of B", ctx: asAdmin,
			op: place(other, func(w *world) *ent.Workspace { return w.wsB }), want: denied},
		{name: "manager deletes another project", ctx: asManager, op: func(ctx context.Context, w *world) error {
			return w.client.Project.DeleteOneID(w.pOther.ID).Exec(ctx)
		}, want: notFound},
		{name: "annotator deletes their project", ctx: asAnnotator, op: func(ctx context.Context, w *world) error {
			return w.client.Project.DeleteOneID(w.pManaged.ID).Exec(ctx)
		}, want: denied},
	})
	t.Run("the client sees why", func(t *testing.T) {
		// A member of the owner's workspace sees it, and is told why they
		// may not place their project there.
		w := MustWorld(t)
		w.client.ProjectMember.Create().SetOrganizationID(w.orgA.ID).SetWorkspaceID(w.wsOwner.ID).SetUserID(w.managerA.ID).SaveX(sys())
		forbidden(t, place(managed, func(w *world) *ent.Workspace { return w.wsOwner })(w.asManagerA(), w),
			"managers manage only the workspaces they created")
	})
}

func TestTaskMutations(t *testing.T) {
	create := func(p func(w *world) *ent.Project) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			return w.client.Task.Create().SetProjectID(p(w).ID).SetOrganizationID(w.orgA.ID).SetInnerID(9).
				SetData(json.RawMessage(`{"text":"new"}`)).Exec(ctx)
		}
	}
	created := func(t *testing.T, w *world) {
		if n := w.client.Task.Query().Where(task.InnerID(9)).CountX(sys()); n != 1 {
			t.Errorf("%d new tasks", n)
		}
	}
	lock := func(tk func(w *world) *ent.Task) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			return w.client.Task.UpdateOneID(tk(w).ID).SetLockedUntil(time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC)).Exec(ctx)
		}
	}
	locked := func(t *testing.T, w *world) {
		if got := w.client.Task.GetX(sys(), w.tLocked.ID).LockedUntil; got == nil || got.Year() != 2999 {
			t.Errorf("locked until %v", got)
		}
	}
	del := func(tk func(w *world) *ent.Task) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error { return w.client.Task.DeleteOneID(tk(w).ID).Exec(ctx) }
	}
	tLocked := func(w *world) *ent.Task { return w.tLocked }
	tOther := func(w *world) *ent.Task { return w.tOther }
	runWorld(t, []worldCase{
		{name: "anonymous imports", ctx: asAnonymous, op: create(func(w *world) *ent.Project { return w.pManaged }), want: denied},
		{name: "reviewer imports", ctx: asReviewer, op: create(func(w *world) *ent.Project { return w.pManaged }), want: denied},
		{name: "manager imports into their project", ctx: asManager, op: create(func(w *world) *ent.Project { return w.pManaged }), want: allowed, check: created},
		{name: "manager imports into another project", ctx: asManager, op: create(func(w *world) *ent.Project { return w.pOther }), want: denied},
		{name: "admin imports into a project of B", ctx: asAdmin, op: create(func(w *world) *ent.Project { return w.pB }), want: denied},
		{name: "annotator extends the lock they hold", ctx: asAnnotator, op: lock(tLocked), want: allowed, check: locked},
		{name: "annotator changes a task's meta", ctx: asAnnotator, op: func(ctx context.Context, w *world) error {
			return w.client.Task.UpdateOneID(w.tLocked.ID).SetMeta(json.RawMessage(`{"x":1}`)).Exec(ctx)
		}, want: denied},
		// Clearing is a change too: an optional field set to NULL is not
		// among the mutation's set fields.
		{name: "annotator clears a task's meta", ctx: asAnnotator, op: func(ctx context.Context, w *world) error {
			return w.client.Task.UpdateOneID(w.tLocked.ID).ClearMeta().Exec(ctx)
		}, want: denied},
		{name: "annotator releases the lock they hold", ctx: asAnnotator, op: func(ctx context.Context, w *world) error {
			return w.client.Task.UpdateOneID(w.tLocked.ID).ClearLockedByID().ClearLockedUntil().Exec(ctx)
		}, want: allowed, check: func(t *testing.T, w *world) {
			if got := w.client.Task.GetX(sys(), w.tLocked.ID); got.LockedByID != nil || got.LockedUntil != nil || string(got.Meta) != `{"source":"batch 1"}` {
				t.Errorf("after the release: locked by %v until %v, meta %s", got.LockedByID, got.LockedUntil, got.Meta)
			}
		}},
		{name: "annotator deletes their task", ctx: asAnnotator, op: del(tLocked), want: denied},
		// The stream locks a task for the viewer; nobody below manager
		// hands a task to someone else, who could then read it.
		{name: "annotator locks their task for a colleague", ctx: asAnnotator, op: func(ctx context.Context, w *world) error {
			return w.client.Task.UpdateOneID(w.tLocked.ID).SetLockedByID(w.reviewerA.ID).Exec(ctx)
		}, want: denied, check: func(t *testing.T, w *world) {
			if got := w.client.Task.GetX(sys(), w.tLocked.ID).LockedByID; got == nil || *got != w.annotatorA.ID {
				t.Errorf("locked by %v, want the annotator still", got)
			}
		}},
		{name: "manager locks a task of another project", ctx: asManager, op: lock(tOther), want: notFound},
		{name: "manager deletes a task of another project", ctx: asManager, op: del(tOther), want: notFound},
		{name: "owner of B locks a task of A", ctx: asOwnerOfB, op: lock(tLocked), want: notFound},
	})
}

func TestAnnotationMutations(t *testing.T) {
	create := func(tk func(w *world) *ent.Task, author func(w *world) *ent.User) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			t := tk(w)
			return w.client.Annotation.Create().SetTaskID(t.ID).SetProjectID(t.ProjectID).SetOrganizationID(t.OrganizationID).
				SetCompletedByID(author(w).ID).SetResult(json.RawMessage(`[{"new":true}]`)).Exec(ctx)
		}
	}
	created := func(t *testing.T, w *world) {
		if n := len(w.client.Annotation.Query().AllX(sys())); n != 5 {
			t.Errorf("%d annotations, want 5", n)
		}
	}
	review := func(a func(w *world) *ent.Annotation) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			return w.client.Annotation.UpdateOneID(a(w).ID).SetReviewState(annotation.ReviewStateAccepted).
				SetReviewedByID(viewerID(ctx)).Exec(ctx)
		}
	}
	accepted := func(a func(w *world) *ent.Annotation) func(t *testing.T, w *world) {
		return func(t *testing.T, w *world) {
			if got := w.client.Annotation.GetX(sys(), a(w).ID).ReviewState; got != annotation.ReviewStateAccepted {
				t.Errorf("review state %s", got)
			}
		}
	}
	edit := func(a func(w *world) *ent.Annotation) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			return w.client.Annotation.UpdateOneID(a(w).ID).SetResult(json.RawMessage(`[{"edited":true}]`)).Exec(ctx)
		}
	}
	unchanged := func(a func(w *world) *ent.Annotation) func(t *testing.T, w *world) {
		return func(t *testing.T, w *world) {
			before, got := a(w), w.client.Annotation.GetX(sys(), a(w).ID)
			if got.ReviewComment != before.ReviewComment || !reflect.DeepEqual(got.ReviewedAt, before.ReviewedAt) || got.GroundTruth != before.GroundTruth {
				t.Errorf("the refused change stored something: comment %q, reviewed at %v, ground truth %v", got.ReviewComment, got.ReviewedAt, got.GroundTruth)
			}
		}
	}
	tLocked := func(w *world) *ent.Task { return w.tLocked }
	tFree := func(w *world) *ent.Task { return w.tFree }
	annotator := func(w *world) *ent.User { return w.annotatorA }
	aAnnotator := func(w *world) *ent.Annotation { return w.aAnnotator }
	aReviewer := func(w *world) *ent.Annotation { return w.aReviewer }
	aOther := func(w *world) *ent.Annotation { return w.aOther }
	runWorld(t, []worldCase{
		{name: "anonymous annotates", ctx: asAnonymous, op: create(tLocked, annotator), want: denied},
		{name: "annotator annotates the task they hold", ctx: asAnnotator, op: create(tLocked, annotator), want: allowed, check: created},
		{name: "annotator annotates a task nobody handed them", ctx: asAnnotator, op: create(tFree, annotator), want: denied},
		{name: "annotator annotates in another's name", ctx: asAnnotator, op: create(tLocked, func(w *world) *ent.User { return w.reviewerA }), want: denied},
		{name: "manager annotates a task of another project", ctx: asManager, op: create(func(w *world) *ent.Task { return w.tOther }, func(w *world) *ent.User { return w.managerA }), want: denied},
		{name: "annotator edits their annotation", ctx: asAnnotator, op: edit(aAnnotator), want: allowed, check: func(t *testing.T, w *world) {
			if got := string(w.client.Annotation.GetX(sys(), w.aAnnotator.ID).Result); got != `[{"edited":true}]` {
				t.Errorf("result %s", got)
			}
		}},
		{name: "manager edits an annotator's annotation", ctx: asManager, op: edit(aAnnotator), want: notFound},
		// A review's comment and time, and ground truth, are not the
		// author's to write, even with the state left pending.
		{name: "annotator writes a review comment on their work", ctx: asAnnotator, op: func(ctx context.Context, w *world) error {
			return w.client.Annotation.UpdateOneID(w.aAnnotator.ID).SetReviewComment("looks great, accepted").Exec(ctx)
		}, want: denied, check: unchanged(aAnnotator)},
		{name: "annotator dates a review of their work", ctx: asAnnotator, op: func(ctx context.Context, w *world) error {
			return w.client.Annotation.UpdateOneID(w.aAnnotator.ID).SetReviewedAt(time.Now()).Exec(ctx)
		}, want: denied, check: unchanged(aAnnotator)},
		{name: "annotator marks their work ground truth", ctx: asAnnotator, op: func(ctx context.Context, w *world) error {
			return w.client.Annotation.UpdateOneID(w.aAnnotator.ID).SetGroundTruth(true).Exec(ctx)
		}, want: denied, check: unchanged(aAnnotator)},
		{name: "annotator sends their work back to review", ctx: asAnnotator, op: func(ctx context.Context, w *world) error {
			return w.client.Annotation.UpdateOneID(w.aAnnotator.ID).SetResult(json.RawMessage(`[{"fixed":true}]`)).
				SetReviewState(annotation.ReviewStatePending).ClearReviewedByID().ClearReviewedAt().Exec(ctx)
		}, want: allowed, check: func(t *testing.T, w *world) {
			if got := w.client.Annotation.GetX(sys(), w.aAnnotator.ID); string(got.Result) != `[{"fixed":true}]` || got.ReviewState != annotation.ReviewStatePending {
				t.Errorf("after the resubmit: %s, %s", got.Result, got.ReviewState)
			}
		}},
		{name: "owner of B edits an annotation of A", ctx: asOwnerOfB, op: edit(aAnnotator), want: notFound},
		{name: "reviewer reviews an annotator's work", ctx: asReviewer, op: review(aAnnotator), want: allowed, check: accepted(aAnnotator)},
		{name: "reviewer reviews their own work", ctx: asReviewer, op: review(aReviewer), want: denied},
		{name: "annotator reviews their own work", ctx: asAnnotator, op: review(aAnnotator), want: denied},
		{name: "annotator reviews a reviewer's work", ctx: asAnnotator, op: review(aReviewer), want: denied},
		{name: "manager reviews work in another project", ctx: asManager, op: review(aOther), want: notFound},
		{name: "admin reviews work in any project", ctx: asAdmin, op: review(aOther), want: allowed, check: accepted(aOther)},
		{name: "reviewer deletes an annotator's work", ctx: asReviewer, op: func(ctx context.Context, w *world) error {
			return w.client.Annotation.DeleteOneID(w.aAnnotator.ID).Exec(ctx)
		}, want: notFound},
	})
	t.Run("the client sees why", func(t *testing.T) {
		w := MustWorld(t)
		forbidden(t, review(aReviewer)(w.asReviewerA(), w), "you cannot review your own annotation")
		forbidden(t, review(aReviewer)(w.asAnnotatorA(), w), "only reviewers, managers, admins and owners review annotations")
	})
}

func TestPredictionMutations(t *testing.T) {
	create := func(tk func(w *world) *ent.Task) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			t := tk(w)
			return w.client.Prediction.Create().SetTaskID(t.ID).SetOrganizationID(t.OrganizationID).
				SetResult(json.RawMessage(`[]`)).SetModelVersion("new").Exec(ctx)
		}
	}
	tLocked := func(w *world) *ent.Task { return w.tLocked }
	rescore := func(p func(w *world) *ent.Prediction) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			return w.client.Prediction.UpdateOneID(p(w).ID).SetScore(0.5).Exec(ctx)
		}
	}
	runWorld(t, []worldCase{
		{name: "anonymous imports", ctx: asAnonymous, op: create(tLocked), want: denied},
		{name: "reviewer imports", ctx: asReviewer, op: create(tLocked), want: denied},
		{name: "manager imports into their project", ctx: asManager, op: create(tLocked), want: allowed, check: func(t *testing.T, w *world) {
			if n := w.client.Prediction.Query().Where(prediction.ModelVersion("new")).CountX(sys()); n != 1 {
				t.Errorf("%d new predictions", n)
			}
		}},
		{name: "manager imports into another project", ctx: asManager, op: create(func(w *world) *ent.Task { return w.tOther }), want: denied},
		{name: "admin imports into B", ctx: asAdmin, op: create(func(w *world) *ent.Task { return w.tB }), want: denied},
		{name: "manager rescores another project's prediction", ctx: asManager, op: rescore(func(w *world) *ent.Prediction { return w.prOther }), want: notFound},
		{name: "admin rescores any prediction", ctx: asAdmin, op: rescore(func(w *world) *ent.Prediction { return w.prOther }), want: allowed,
			check: func(t *testing.T, w *world) {
				if got := w.client.Prediction.GetX(sys(), w.prOther.ID).Score; got == nil || *got != 0.5 {
					t.Errorf("score %v", got)
				}
			}},
		{name: "annotator deletes a prediction", ctx: asAnnotator, op: func(ctx context.Context, w *world) error {
			return w.client.Prediction.DeleteOneID(w.prManaged.ID).Exec(ctx)
		}, want: denied},
		{name: "owner of B deletes a prediction of A", ctx: asOwnerOfB, op: func(ctx context.Context, w *world) error {
			return w.client.Prediction.DeleteOneID(w.prManaged.ID).Exec(ctx)
		}, want: notFound},
	})
}

func TestWorkspaceMutations(t *testing.T) {
	create := func(ctx context.Context, w *world) error {
		return w.client.Workspace.Create().SetOrganizationID(w.orgA.ID).SetCreatedByID(viewerID(ctx)).SetTitle("New WS").Exec(ctx)
	}
	rename := func(ws func(w *world) *ent.Workspace) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			return w.client.Workspace.UpdateOneID(ws(w).ID).SetTitle("Renamed").Exec(ctx)
		}
	}
	wsManager := func(w *world) *ent.Workspace { return w.wsManager }
	wsOwner := func(w *world) *ent.Workspace { return w.wsOwner }
	renamed := func(ws func(w *world) *ent.Workspace) func(t *testing.T, w *world) {
		return func(t *testing.T, w *world) {
			if got := w.client.Workspace.GetX(sys(), ws(w).ID).Title; got != "Renamed" {
				t.Errorf("title %q", got)
			}
		}
	}
	runWorld(t, []worldCase{
		{name: "anonymous creates", ctx: asAnonymous, op: func(ctx context.Context, w *world) error {
			return w.client.Workspace.Create().SetOrganizationID(w.orgA.ID).SetCreatedByID(w.ownerA.ID).SetTitle("x").Exec(ctx)
		}, want: denied},
		{name: "reviewer creates", ctx: asReviewer, op: create, want: denied},
		{name: "manager creates", ctx: asManager, op: create, want: allowed, check: func(t *testing.T, w *world) {
			if n := w.client.Workspace.Query().Where(workspace.Title("New WS")).CountX(sys()); n != 1 {
				t.Errorf("%d new workspaces", n)
			}
		}},
		{name: "manager renames their workspace", ctx: asManager, op: rename(wsManager), want: allowed, check: renamed(wsManager)},
		{name: "manager renames the owner's workspace", ctx: asManager, op: rename(wsOwner), want: notFound},
		{name: "admin renames any workspace", ctx: asAdmin, op: rename(wsManager), want: allowed, check: renamed(wsManager)},
		{name: "owner of B renames a workspace of A", ctx: asOwnerOfB, op: rename(wsOwner), want: notFound},
	})
}

func TestProjectMemberMutations(t *testing.T) {
	onProject := func(p func(w *world) *ent.Project) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			return w.client.ProjectMember.Create().SetOrganizationID(w.orgA.ID).SetProjectID(p(w).ID).SetUserID(w.adminA.ID).Exec(ctx)
		}
	}
	onWorkspace := func(ws func(w *world) *ent.Workspace) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			return w.client.ProjectMember.Create().SetOrganizationID(w.orgA.ID).SetWorkspaceID(ws(w).ID).SetUserID(w.adminA.ID).Exec(ctx)
		}
	}
	joined := func(t *testing.T, w *world) {
		if n := w.client.ProjectMember.Query().Where(projectmember.UserID(w.adminA.ID)).CountX(sys()); n != 1 {
			t.Errorf("%d memberships of the admin", n)
		}
	}
	remove := func(pm func(w *world) *ent.ProjectMember) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			return w.client.ProjectMember.DeleteOneID(pm(w).ID).Exec(ctx)
		}
	}
	removed := func(pm func(w *world) *ent.ProjectMember) func(t *testing.T, w *world) {
		return func(t *testing.T, w *world) {
			if _, err := w.client.ProjectMember.Get(sys(), pm(w).ID); !ent.IsNotFound(err) {
				t.Errorf("still there: %v", err)
			}
		}
	}
	pManaged := func(w *world) *ent.Project { return w.pManaged }
	pOther := func(w *world) *ent.Project { return w.pOther }
	wsManager := func(w *world) *ent.Workspace { return w.wsManager }
	wsOwner := func(w *world) *ent.Workspace { return w.wsOwner }
	pmWsOwner := func(w *world) *ent.ProjectMember { return w.pmWsOwner }
	pmReviewer := func(w *world) *ent.ProjectMember { return w.pmReviewer }
	runWorld(t, []worldCase{
		{name: "anonymous adds a member", ctx: asAnonymous, op: onProject(pManaged), want: denied},
		{name: "reviewer adds a member", ctx: asReviewer, op: onProject(pManaged), want: denied},
		{name: "manager adds a member to their project", ctx: asManager, op: onProject(pManaged), want: allowed, check: joined},
		{name: "manager adds a member to another project", ctx: asManager, op: onProject(pOther), want: denied},
		{name: "admin adds a member to a project of B", ctx: asAdmin, op: onProject(func(w *world) *ent.Project { return w.pB }), want: denied},
		{name: "manager adds a member to their workspace", ctx: asManager, op: onWorkspace(wsManager), want: allowed, check: joined},
		{name: "manager adds a member to the owner's workspace", ctx: asManager, op: onWorkspace(wsOwner), want: denied},
		{name: "admin adds a member to any workspace", ctx: asAdmin, op: onWorkspace(wsOwner), want: allowed, check: joined},
		{name: "manager removes a member of the owner's workspace", ctx: asManager, op: remove(pmWsOwner), want: notFound},
		{name: "admin removes a member of any workspace", ctx: asAdmin, op: remove(pmWsOwner), want: allowed, check: removed(pmWsOwner)},
		{name: "manager removes a member of their project", ctx: asManager, op: remove(pmReviewer), want: allowed, check: removed(pmReviewer)},
		{name: "reviewer removes themself", ctx: asReviewer, op: remove(pmReviewer), want: denied},
		{name: "owner of B removes a member in A", ctx: asOwnerOfB, op: remove(pmReviewer), want: notFound},
		{
			// A bulk removal by a manager reaches only their projects and
			// workspaces: the owner's workspace keeps its member.
			name: "manager removes everyone", ctx: asManager,
			op: func(ctx context.Context, w *world) error {
				_, err := w.client.ProjectMember.Delete().Exec(ctx)
				return err
			},
			want: allowed,
			check: func(t *testing.T, w *world) {
				got := w.client.ProjectMember.Query().IDsX(sys())
				slices.Sort(got)
				if want := idsOf(func(x *ent.ProjectMember) int { return x.ID }, w.pmWsOwner, w.pmB); !slices.Equal(got, want) {
					t.Errorf("left %v, want %v", got, want)
				}
			},
		},
	})
}

func TestAuditEventsAreAppendOnly(t *testing.T) {
	var cases []worldCase
	for name, ctx := range map[string]func(w *world) context.Context{
		"annotator": asAnnotator, "admin": asAdmin, "owner": asOwner, "owner of B": asOwnerOfB, "anonymous": asAnonymous,
	} {
		cases = append(cases,
			worldCase{name: name + " writes an event", ctx: ctx, op: func(ctx context.Context, w *world) error {
				return w.client.AuditEvent.Create().SetOrganizationID(w.orgA.ID).SetAction("forged").
					SetPrevHash([]byte{0}).SetHash([]byte{1}).Exec(ctx)
			}, want: denied},
			worldCase{name: name + " deletes events", ctx: ctx, op: func(ctx context.Context, w *world) error {
				_, err := w.client.AuditEvent.Delete().Exec(ctx)
				return err
			}, want: denied},
			worldCase{name: name + " rewrites an event", ctx: ctx, op: func(ctx context.Context, w *world) error {
				// Every field of an event is immutable; the update itself
				// is what the policy refuses.
				return w.client.AuditEvent.UpdateOneID(w.evA.ID).Exec(ctx)
			}, want: denied},
		)
	}
	cases = append(cases, worldCase{name: "system writes an event", ctx: func(*world) context.Context { return sys() },
		op: func(ctx context.Context, w *world) error {
			return w.client.AuditEvent.Create().SetAction("system.did").SetPrevHash([]byte{0}).SetHash([]byte{1}).Exec(ctx)
		}, want: allowed, check: func(t *testing.T, w *world) {
			if n := w.client.AuditEvent.Query().Where(auditevent.Action("system.did")).CountX(sys()); n != 1 {
				t.Errorf("%d events", n)
			}
		}})
	runWorld(t, cases)
}

// viewerID is the signed-in user of ctx, or 0.
func viewerID(ctx context.Context) int {
	if v := viewer.FromContext(ctx); v != nil {
		return v.UserID
	}
	return 0
}

// TestTaskImportCheckIsPerViewer: within one transaction the task rule
// remembers which projects a viewer may import into, so a bulk import asks
// once; what one viewer was allowed is never lent to another, and a
// project refused stays refused.
func TestTaskImportCheckIsPerViewer(t *testing.T) {
	w := MustWorld(t)
	tx, err := w.client.Tx(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	in := func(ctx context.Context) context.Context { return ent.NewTxContext(ctx, tx) }
	create := func(ctx context.Context, p *ent.Project, n int) error {
		return tx.Task.Create().SetProjectID(p.ID).SetOrganizationID(w.orgA.ID).SetInnerID(n).
			SetData(json.RawMessage(`{}`)).Exec(in(ctx))
	}
	admin, manager := w.asAdminA(), w.asManagerA()
	for n := 10; n < 13; n++ {
		if err := create(admin, w.pOther, n); err != nil {
			t.Fatalf("admin imports into another project: %v", err)
		}
		if err := create(manager, w.pOther, 20+n); !errors.Is(err, privacy.Deny) {
			t.Fatalf("manager imports into a project they do not manage after the admin did: %v", err)
		}
		if err := create(manager, w.pManaged, 30+n); err != nil {
			t.Fatalf("manager imports into their project: %v", err)
		}
	}
	if n := tx.Task.Query().Where(task.InnerIDGTE(20), task.InnerIDLT(30)).CountX(in(sys())); n != 0 {
		t.Errorf("%d tasks the manager was refused were stored", n)
	}
}

// TestGate is the one role gate's table: each level against each role,
// the anonymous caller and the system.
func TestGate(t *testing.T) {
	roles := []membership.Role{membership.RoleAnnotator, membership.RoleReviewer, membership.RoleManager, membership.RoleAdmin, membership.RoleOwner}
	// want[level] is the first role (index into roles) the level lets in.
	want := map[rule.Access]int{rule.Public: 0, rule.SignedIn: 0, rule.Reviewer: 1, rule.Manager: 2, rule.OrgAdmin: 3}
	for level, first := range want {
		for i, r := range roles {
			err := rule.Gate(&viewer.Viewer{UserID: 1, OrgID: 1, Role: r}, level)
			switch {
			case i >= first && err != nil:
				t.Errorf("level %d, %s: %v; want allowed", level, r, err)
			case i < first && (fault.As(err) == nil || fault.As(err).Code != fault.Forbidden):
				t.Errorf("level %d, %s: %v; want FORBIDDEN", level, r, err)
			}
		}
		anon := rule.Gate(nil, level)
		if level == rule.Public && anon != nil {
			t.Errorf("public refuses the anonymous caller: %v", anon)
		}
		if level != rule.Public && (fault.As(anon) == nil || fault.As(anon).Code != fault.Unauthenticated) {
			t.Errorf("level %d lets the anonymous caller through: %v", level, anon)
		}
		if err := rule.Gate(&viewer.Viewer{System: true}, level); err != nil {
			t.Errorf("level %d refuses the system: %v", level, err)
		}
	}
}

// TestAuditCheckpointIsSystemOnly proves that only the server reads or
// writes audit checkpoints: no member, not even an owner, can read one, add a
// forged one, or change or remove one through ent, and the row stays as the
// server wrote it.
func TestAuditCheckpointIsSystemOnly(t *testing.T) {
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
		t.Run(c.name, func(t *testing.T) {
			f := MustSeed(t)
			cp := f.client.AuditCheckpoint.Create().SetSeq(7).SetHead([]byte("head")).SetMAC([]byte("mac")).SaveX(sys())
			ctx := c.ctx(f)
			ops := map[string]func() error{
				"read": func() error { _, err := f.client.AuditCheckpoint.Query().All(ctx); return err },
				"create": func() error {
					return f.client.AuditCheckpoint.Create().SetSeq(99).SetHead([]byte("x")).SetMAC([]byte("y")).Exec(ctx)
				},
				"delete one": func() error { return f.client.AuditCheckpoint.DeleteOneID(cp.ID).Exec(ctx) },
				"delete all": func() error { _, err := f.client.AuditCheckpoint.Delete().Exec(ctx); return err },
			}
			for name, op := range ops {
				if err := op(); !errors.Is(err, privacy.Deny) {
					t.Errorf("%s: got %v; want a privacy denial", name, err)
				}
			}
			all := f.client.AuditCheckpoint.Query().AllX(sys())
			if len(all) != 1 || all[0].Seq != 7 || string(all[0].Head) != "head" || string(all[0].MAC) != "mac" {
				t.Errorf("checkpoints changed: %+v", all)
			}
		})
	}
}

// TestDraftPolicy: a draft is its user's alone. Nobody else reads, changes
// or removes it, whatever their role, and a user saves drafts only in
// their own name, in their organization, on tasks they can see.
func TestDraftPolicy(t *testing.T) {
	w := MustWorld(t)
	mine := w.client.Draft.Create().SetTaskID(w.tLocked.ID).SetUserID(w.annotatorA.ID).
		SetOrganizationID(w.orgA.ID).SetResult(json.RawMessage(`[{"draft":"annotator"}]`)).SaveX(sys())
	theirs := w.client.Draft.Create().SetTaskID(w.tLocked.ID).SetUserID(w.managerA.ID).
		SetOrganizationID(w.orgA.ID).SetResult(json.RawMessage(`[{"draft":"manager"}]`)).SaveX(sys())
	state := func() string {
		var s strings.Builder
		for _, d := range w.client.Draft.Query().Order(ent.Asc("id")).AllX(sys()) {
			fmt.Fprintf(&s, "%d %d %d %s %s\n", d.ID, d.TaskID, d.UserID, d.Result, d.UpdatedAt)
		}
		return s.String()
	}

	t.Run("reads", func(t *testing.T) {
		for name, tc := range map[string]struct {
			ctx  context.Context
			want []int
		}{
			"annotator":  {w.asAnnotatorA(), []int{mine.ID}},
			"manager":    {w.asManagerA(), []int{theirs.ID}},
			"reviewer":   {w.asReviewerA(), nil},
			"admin":      {w.asAdminA(), nil},
			"owner":      {w.asOwnerA(), nil},
			"owner of B": {w.asOwnerB(), nil},
		} {
			got, err := w.client.Draft.Query().IDs(tc.ctx)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("%s sees drafts %v; want %v", name, got, tc.want)
			}
		}
		if _, err := w.client.Draft.Query().IDs(w.anonymous()); !errors.Is(err, privacy.Deny) {
			t.Errorf("anonymous: got %v; want a privacy denial", err)
		}
	})

	create := func(tk *ent.Task, u *ent.User, org *ent.Organization) func(context.Context) error {
		return func(ctx context.Context) error {
			return w.client.Draft.Create().SetTaskID(tk.ID).SetUserID(u.ID).SetOrganizationID(org.ID).
				SetResult(json.RawMessage(`[{"draft":"new"}]`)).Exec(ctx)
		}
	}
	refusals := []struct {
		name string
		ctx  context.Context
		op   func(context.Context) error
	}{
		{"anonymous saves a draft", w.anonymous(), create(w.tLocked, w.annotatorA, w.orgA)},
		{"annotator saves a draft in another's name", w.asAnnotatorA(), create(w.tFree, w.reviewerA, w.orgA)},
		{"annotator saves a draft of a task nobody handed them", w.asAnnotatorA(), create(w.tFree, w.annotatorA, w.orgA)},
		{"owner of B saves a draft of a task of A", w.asOwnerB(), create(w.tLocked, w.ownerB, w.orgA)},
		{"owner of B saves a draft of a task of A in B", w.asOwnerB(), create(w.tLocked, w.ownerB, w.orgB)},
		{"owner changes an annotator's draft", w.asOwnerA(), func(ctx context.Context) error {
			return w.client.Draft.UpdateOneID(mine.ID).SetResult(json.RawMessage(`[]`)).Exec(ctx)
		}},
		{"admin removes an annotator's draft", w.asAdminA(), func(ctx context.Context) error {
			return w.client.Draft.DeleteOneID(mine.ID).Exec(ctx)
		}},
		{"manager changes an annotator's draft by filter", w.asManagerA(), func(ctx context.Context) error {
			n, err := w.client.Draft.Update().Where(draft.ID(mine.ID)).SetResult(json.RawMessage(`[]`)).Save(ctx)
			if err == nil && n == 0 {
				return &ent.NotFoundError{}
			}
			return err
		}},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			before := state()
			if err := tc.op(tc.ctx); err == nil {
				t.Fatal("allowed; want a refusal")
			} else if !errors.Is(err, privacy.Deny) && !ent.IsNotFound(err) {
				t.Fatalf("got %v; want a privacy denial or not found", err)
			}
			if after := state(); after != before {
				t.Errorf("a refused mutation changed drafts:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}

	t.Run("the annotator saves, changes and removes their own", func(t *testing.T) {
		ctx := w.asAnnotatorA()
		if err := w.client.Draft.UpdateOneID(mine.ID).SetResult(json.RawMessage(`[{"draft":"edited"}]`)).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if got := string(w.client.Draft.GetX(sys(), mine.ID).Result); got != `[{"draft":"edited"}]` {
			t.Errorf("result %s", got)
		}
		if err := w.client.Draft.DeleteOneID(mine.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if err := create(w.tLocked, w.annotatorA, w.orgA)(ctx); err != nil {
			t.Fatal(err)
		}
		if n := w.client.Draft.Query().CountX(sys()); n != 2 {
			t.Errorf("%d drafts; want 2 (the manager's and the annotator's new one)", n)
		}
	})
}

// storagesOf seeds a storage in each of the world's projects (managed by
// the manager, another of A, one of B) and returns them in that order.
func storagesOf(t *testing.T, w *world) []*ent.Storage {
	t.Helper()
	var out []*ent.Storage
	for _, p := range []*ent.Project{w.pManaged, w.pOther, w.pB} {
		out = append(out, w.client.Storage.Create().SetProjectID(p.ID).SetOrganizationID(p.OrganizationID).
			SetDirection(storage.DirectionIMPORT).SetKind(storage.KindS3).SetBucket("bucket").
			SetSecrets([]byte("sealed")).SaveX(sys()))
	}
	return out
}

func TestStoragePolicy(t *testing.T) {
	type tc struct {
		name string
		ctx  func(w *world) context.Context
		see  []int // indexes into storagesOf the viewer reads
	}
	for _, c := range []tc{
		{"anonymous", asAnonymous, nil},
		{"annotator", asAnnotator, nil},
		{"reviewer", asReviewer, nil},
		{"manager", asManager, []int{0}},
		{"admin", asAdmin, []int{0, 1}},
		{"owner", asOwner, []int{0, 1}},
		{"owner of B", asOwnerOfB, []int{2}},
	} {
		t.Run("read as "+c.name, func(t *testing.T) {
			w := MustWorld(t)
			sts := storagesOf(t, w)
			got, _ := w.client.Storage.Query().IDs(c.ctx(w))
			var want []int
			for _, i := range c.see {
				want = append(want, sts[i].ID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("sees storages %v, want %v", got, want)
			}
			syncs, _ := w.client.StorageSync.Query().IDs(c.ctx(w))
			if len(c.see) == 0 && len(syncs) != 0 {
				t.Errorf("sees syncs %v", syncs)
			}
		})
	}

	create := func(p func(w *world) *ent.Project) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			pr := p(w)
			return w.client.Storage.Create().SetProjectID(pr.ID).SetOrganizationID(pr.OrganizationID).
				SetDirection(storage.DirectionEXPORT).SetKind(storage.KindS3).SetBucket("new-bucket").Exec(ctx)
		}
	}
	managed := func(w *world) *ent.Project { return w.pManaged }
	other := func(w *world) *ent.Project { return w.pOther }
	inB := func(w *world) *ent.Project { return w.pB }
	for _, c := range []struct {
		name string
		ctx  func(w *world) context.Context
		op   func(context.Context, *world) error
		want outcome
	}{
		{"anonymous creates", asAnonymous, create(managed), denied},
		{"annotator creates", asAnnotator, create(managed), denied},
		{"reviewer creates", asReviewer, create(managed), denied},
		{"manager creates in their project", asManager, create(managed), allowed},
		{"manager creates in another project", asManager, create(other), denied},
		{"admin creates in another project", asAdmin, create(other), allowed},
		{"admin creates in B", asAdmin, create(inB), denied},
		{"owner of B creates in A", asOwnerOfB, create(managed), denied},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := MustWorld(t)
			storagesOf(t, w)
			err := c.op(c.ctx(w), w)
			n := w.client.Storage.Query().Where(storage.Bucket("new-bucket")).CountX(sys())
			switch {
			case c.want == allowed && (err != nil || n != 1):
				t.Fatalf("got %v (%d made); want success", err, n)
			case c.want == denied && (!errors.Is(err, privacy.Deny) || n != 0):
				t.Fatalf("got %v (%d made); want a privacy denial and nothing made", err, n)
			}
		})
	}

	// Changes and deletes reach only the storages the viewer sees.
	for _, c := range []struct {
		name   string
		ctx    func(w *world) context.Context
		target int
		want   outcome
	}{
		{"annotator retitles", asAnnotator, 0, denied},
		{"reviewer retitles", asReviewer, 0, denied},
		{"manager retitles their project's", asManager, 0, allowed},
		{"manager retitles another project's", asManager, 1, notFound},
		{"admin retitles another project's", asAdmin, 1, allowed},
		{"owner of B retitles A's", asOwnerOfB, 0, notFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := MustWorld(t)
			sts := storagesOf(t, w)
			err := w.client.Storage.UpdateOneID(sts[c.target].ID).SetTitle("changed").Exec(c.ctx(w))
			got := w.client.Storage.GetX(sys(), sts[c.target].ID).Title
			switch {
			case c.want == allowed && (err != nil || got != "changed"):
				t.Fatalf("got %v (title %q); want success", err, got)
			case c.want == denied && (!errors.Is(err, privacy.Deny) || got != ""):
				t.Fatalf("got %v (title %q); want a privacy denial and no change", err, got)
			case c.want == notFound && (!ent.IsNotFound(err) || got != ""):
				t.Fatalf("got %v (title %q); want not found and no change", err, got)
			}
		})
	}

	// Syncs and links are the server's to write.
	w := MustWorld(t)
	sts := storagesOf(t, w)
	if err := w.client.StorageSync.Create().SetStorageID(sts[0].ID).SetOrganizationID(w.orgA.ID).SetStartedAt(time.Now()).Exec(w.asOwnerA()); !errors.Is(err, privacy.Deny) {
		t.Errorf("an owner wrote a sync row: %v", err)
	}
	if err := w.client.StorageLink.Create().SetStorageID(sts[0].ID).SetKey("k").Exec(w.asOwnerA()); !errors.Is(err, privacy.Deny) {
		t.Errorf("an owner wrote a storage link: %v", err)
	}
}

// TestAnnotatorsReadWhatTheirTasksHold: an annotator sees only the tasks
// handed to them or that they annotated; where a project shows annotators
// each other's work, they read others' annotations of those tasks, not of
// every task of the project, and predictions only of those tasks too.
func TestAnnotatorsReadWhatTheirTasksHold(t *testing.T) {
	w := MustWorld(t)
	c, ctx := w.client, sys()
	c.Project.UpdateOne(w.pManaged).SetAnnotatorsSeeOthers(true).ExecX(ctx)
	// The reviewer's work beside the annotator's, on the task handed to
	// the annotator; and a prediction of the task nobody handed them.
	beside := c.Annotation.Create().SetTaskID(w.tLocked.ID).SetProjectID(w.pManaged.ID).SetOrganizationID(w.orgA.ID).
		SetCompletedByID(w.reviewerA.ID).SetResult(json.RawMessage(`[]`)).SaveX(ctx)
	free := c.Prediction.Create().SetTaskID(w.tFree.ID).SetOrganizationID(w.orgA.ID).SetResult(json.RawMessage(`[]`)).SaveX(ctx)

	as := w.asAnnotatorA()
	anns := c.Annotation.Query().Order(ent.Asc(annotation.FieldID)).IDsX(as)
	if want := []int{w.aAnnotator.ID, beside.ID}; !slices.Equal(anns, want) {
		t.Errorf("annotations the annotator reads: %v, want %v (not the reviewer's %d on a task not theirs)", anns, want, w.aReviewer.ID)
	}
	if _, err := c.Annotation.Get(as, w.aReviewer.ID); !ent.IsNotFound(err) {
		t.Errorf("the reviewer's annotation of a task not handed to the annotator: %v, want not found", err)
	}
	preds := c.Prediction.Query().IDsX(as)
	if want := []int{w.prManaged.ID}; !slices.Equal(preds, want) {
		t.Errorf("predictions the annotator reads: %v, want %v (not %d, of a task not theirs)", preds, want, free.ID)
	}
	// A reviewer sees every task of their projects, and what they hold.
	if got := c.Prediction.Query().Where(prediction.ID(free.ID)).CountX(w.asReviewerA()); got != 1 {
		t.Errorf("the reviewer reads %d of the free task's predictions, want 1", got)
	}
}
