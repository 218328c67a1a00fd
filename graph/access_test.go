package graph

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// MustLoadSchema parses GraphQL sources the way gqlgen does (with the
// built-in prelude, and `extend type` merged into its type).
func MustLoadSchema(tb testing.TB, sources ...*ast.Source) *ast.Schema {
	tb.Helper()
	s, err := gqlparser.LoadSchema(sources...)
	if err != nil {
		tb.Fatalf("load schema: %v", err)
	}
	return s
}

// MustLoadGlossSchema loads every graph/*.graphqls file.
func MustLoadGlossSchema(tb testing.TB) *ast.Schema {
	tb.Helper()
	paths, err := filepath.Glob("*.graphqls")
	if err != nil {
		tb.Fatal(err)
	}
	if len(paths) == 0 {
		tb.Fatal("no *.graphqls files found next to the test")
	}
	var sources []*ast.Source
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		sources = append(sources, &ast.Source{Name: p, Input: string(b)})
	}
	return MustLoadSchema(tb, sources...)
}

// objectFields calls fn for every field of every object (and interface)
// type in s, skipping the introspection types, in a stable order.
func objectFields(s *ast.Schema, fn func(typ *ast.Definition, f *ast.FieldDefinition)) {
	names := make([]string, 0, len(s.Types))
	for name := range s.Types {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		def := s.Types[name]
		if strings.HasPrefix(name, "__") || (def.Kind != ast.Object && def.Kind != ast.Interface) {
			continue
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue // __typename and friends are added by the parser
			}
			fn(def, f)
		}
	}
}

// fieldsWithoutAccess returns "Type.field" for every field that carries no
// @access directive.
func fieldsWithoutAccess(s *ast.Schema) []string {
	var missing []string
	objectFields(s, func(typ *ast.Definition, f *ast.FieldDefinition) {
		if f.Directives.ForName("access") == nil {
			missing = append(missing, typ.Name+"."+f.Name)
		}
	})
	return missing
}

// forbiddenFieldNames are substrings no output field name may contain: the
// API never hands out a credential or its hash.
var forbiddenFieldNames = []string{"password", "hash", "secret", "tokenhash"}

// oneTimeSecrets are the fields where a fresh secret is shown, once, to
// whoever just made it: a webhook's signing secret.
var oneTimeSecrets = []string{"CreatedWebhook.secret"}

// leakyFields returns "Type.field" for every field whose name looks like a
// credential (but oneTimeSecrets), and every field named token outside
// ApiTokenPayload (the one place a fresh token is shown, once). Boolean
// fields are flags that say whether a credential is set, never what it is.
// Mutation fields name actions
// (changePassword), not data, so there only an exact name counts; what they
// return is checked as a type of its own.
func leakyFields(s *ast.Schema) []string {
	var bad []string
	objectFields(s, func(typ *ast.Definition, f *ast.FieldDefinition) {
		name := strings.ToLower(f.Name)
		action := s.Mutation != nil && typ.Name == s.Mutation.Name
		if slices.Contains(oneTimeSecrets, typ.Name+"."+f.Name) {
			return
		}
		if f.Type.Name() == "Boolean" {
			return // a flag (Storage.secretSet) says whether, never what
		}
		for _, w := range forbiddenFieldNames {
			if name == w || (!action && strings.Contains(name, w)) {
				bad = append(bad, typ.Name+"."+f.Name)
				return
			}
		}
		if name == "token" && typ.Name != "ApiTokenPayload" {
			bad = append(bad, typ.Name+"."+f.Name)
		}
	})
	return bad
}

func TestEveryFieldHasAccess(t *testing.T) {
	s := MustLoadGlossSchema(t)

	// Guard against a vacuous pass: the walk must see the roots and the
	// types the API is built from.
	var seen []string
	objectFields(s, func(typ *ast.Definition, f *ast.FieldDefinition) { seen = append(seen, typ.Name+"."+f.Name) })
	for _, want := range []string{"Query.viewer", "Query.sessions", "Query.organization", "Mutation.logout", "Mutation.login", "User.email", "Organization.inviteUrl"} {
		if !slices.Contains(seen, want) {
			t.Errorf("the walk did not visit %s (visited %d fields)", want, len(seen))
		}
	}

	for _, f := range fieldsWithoutAccess(s) {
		t.Errorf("%s has no @access directive", f)
	}
}

func TestNoCredentialFields(t *testing.T) {
	s := MustLoadGlossSchema(t)
	for _, f := range leakyFields(s) {
		t.Errorf("%s looks like a credential and must not be an output field", f)
	}
	payload := s.Types["ApiTokenPayload"]
	if payload == nil || payload.Fields.ForName("token") == nil {
		t.Error("ApiTokenPayload.token is missing; the leak check above assumes it is the only token field")
	}
}

// TestWalkersCatchViolations proves the walks above can fail.
func TestWalkersCatchViolations(t *testing.T) {
	const header = `
directive @access(rule: String!) on FIELD_DEFINITION
`
	t.Run("missing @access", func(t *testing.T) {
		s := MustLoadSchema(t, &ast.Source{Name: "bad.graphqls", Input: header + `
type Query {
  ok: Int @access(rule: "PUBLIC")
  open: String
}
type Thing {
  id: ID! @access(rule: "ROW")
}
extend type Query {
  thing: Thing
}
interface Node {
  id: ID!
}
input Filter {
  text: String
}
`})
		got := fieldsWithoutAccess(s)
		want := []string{"Node.id", "Query.open", "Query.thing"}
		if !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
	t.Run("credential names", func(t *testing.T) {
		s := MustLoadSchema(t, &ast.Source{Name: "bad.graphqls", Input: header + `
type Query {
  me: User @access(rule: "PUBLIC")
  apiToken: ApiTokenPayload @access(rule: "PUBLIC")
  secretKey: String @access(rule: "PUBLIC")
}
type Mutation {
  changePassword(password: String!): Boolean! @access(rule: "SIGNED_IN")
  password: String @access(rule: "PUBLIC")
}
type User {
  email: String @access(rule: "ROW")
  passwordHash: String @access(rule: "ROW")
  Secret: String @access(rule: "ROW")
  inviteTokenHash: String @access(rule: "ROW")
  token: String @access(rule: "ROW")
}
type ApiTokenPayload {
  token: String! @access(rule: "SIGNED_IN")
}
input LoginInput {
  password: String!
}
`})
		got := leakyFields(s)
		want := []string{"Mutation.password", "Query.secretKey", "User.passwordHash", "User.Secret", "User.inviteTokenHash", "User.token"}
		if !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
}
