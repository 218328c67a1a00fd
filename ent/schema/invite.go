package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"gloss/internal/rule"
)

// Invite is an invite link that carries a role, optionally a project, and
// may expire. (The organization's own link, on Organization, stays the
// annotator link.) The token is kept only as a SHA-256 hash. An invite is
// only as good as its creator's current standing, and admits at most
// max_uses people (no limit when unset); use_count counts the sign-ups it
// admitted.
type Invite struct {
	ent.Schema
}

// Mixin of the Invite.
func (Invite) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Fields of the Invite.
func (Invite) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Immutable().Annotations(entgql.Skip()),
		field.Int("created_by_id").Immutable(),
		field.Bytes("token_hash").Unique().Sensitive().Immutable().Annotations(entgql.Skip()),
		field.Enum("role").NamedValues(
			"Owner", "OWNER", "Admin", "ADMIN", "Manager", "MANAGER", "Reviewer", "REVIEWER", "Annotator", "ANNOTATOR",
		).Immutable(),
		field.Int("project_id").Optional().Nillable().Immutable(),
		field.Time("expires_at").Optional().Nillable().Immutable(),
		field.Bool("revoked").Default(false),
		field.Int("use_count").Default(0).NonNegative(),
		field.Int("max_uses").Optional().Nillable().Positive().Immutable(),
	}
}

// Edges of the Invite.
func (Invite) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("created_by", User.Type).Field("created_by_id").Unique().Required().Immutable(),
	}
}

// Indexes of the Invite.
func (Invite) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id")}
}

// Policy of the Invite: owners and admins read, create and revoke the
// invites of their organization.
func (Invite) Policy() ent.Policy {
	return rule.InvitePolicy()
}
