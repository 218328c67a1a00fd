// Package frontend embeds the built single-page app so the gloss binary
// serves it without any files beside it.
package frontend

import "embed"

// Dist holds the contents of frontend/dist after `npm run build`.
//
//go:embed all:dist
var Dist embed.FS
