package main

// Code generation runs ent first, then gqlgen, because gqlgen binds to the
// types that ent and entgql write.
//go:generate go run -mod=mod ./ent/entc.go
//go:generate go run -mod=mod github.com/99designs/gqlgen generate
