package main

import (
	"net/http"
	"strings"
)

// storageEnv lets the matrix's storages reach its loopback file server,
// which stands in for an S3 endpoint: creating, checking and presigning
// need no real bucket.
func storageEnv() map[string]string {
	return map[string]string{"GLOSS_OUTBOUND_ALLOW": "127.0.0.1"}
}

// matrixStorage makes an S3 storage in c.project as c.owner and returns
// its id.
func matrixStorage(c *cell, presign bool) string {
	in := map[string]any{"projectId": c.project, "direction": "IMPORT", "kind": "S3", "presign": presign, "useBlobUrls": true,
		"s3": map[string]any{"bucket": "matrix", "endpoint": c.w.files, "accessKeyId": "matrix", "secretAccessKey": "matrix secret"}}
	return str(c.owner.ok(`mutation($i: CreateStorageInput!) { createStorage(input: $i) { id } }`, map[string]any{"i": in}), "createStorage", "id")
}

// storageState is what the owner sees of c.project's storages.
func storageState(c *cell) string {
	return projectState(c.owner, c.project, "storages { id title presign lastSync { id } }")
}

// storageOp is an operation on a storage of a project of the scope.
func storageOp(query string, changes func(*cell) bool) operation {
	return operation{
		env: storageEnv(),
		setup: func(c *cell) {
			c.project = c.projectFor(c.scope)
			c.target = matrixStorage(c, false)
		},
		run:     gqlRun(query, func(c *cell) map[string]any { return map[string]any{"s": c.target} }),
		state:   storageState,
		changes: changes,
	}
}

// storageOperations are the matrix's storage operations and the data proxy.
func storageOperations() map[string]operation {
	create := projectOp(gqlRun(`mutation($i: CreateStorageInput!) { createStorage(input: $i) { id } }`, func(c *cell) map[string]any {
		return map[string]any{"i": map[string]any{"projectId": c.project, "direction": "EXPORT", "kind": "S3",
			"s3": map[string]any{"bucket": "matrix", "endpoint": c.w.files, "secretAccessKey": "matrix secret"}}}
	}), storageState, always)
	create.env = storageEnv()
	create.leak = func(_ *cell, r *gqlResponse) error {
		if strings.Contains(r.Raw, "matrix secret") {
			return errLeak("the secret")
		}
		return nil
	}
	return map[string]operation{
		"createStorage": create,
		"updateStorage": storageOp(`mutation($s: ID!) { updateStorage(id: $s, input: {title: "Matrix", presign: true}) { id } }`, always),
		"deleteStorage": storageOp(`mutation($s: ID!) { deleteStorage(id: $s) }`, always),
		"checkStorage":  storageOp(`mutation($s: ID!) { checkStorage(id: $s) { ok message } }`, nil),
		"syncStorage":   storageOp(`mutation($s: ID!) { syncStorage(id: $s) { id } }`, always),
		// The data proxy: a task naming an object of its project's storage,
		// presigned, so an allowed request is redirected to the file server.
		"http:resolve": {
			env: storageEnv(),
			setup: func(c *cell) {
				c.project = c.projectFor(c.scope)
				matrixStorage(c, true)
				c.marker = "s3://matrix/object-" + c.scope + ".txt"
				c.importTexts(c.project, c.marker)
				c.task = c.firstTask(c.project)
				if c.scope == "own" && c.role == "ANNOTATOR" {
					handOut(c.caller, c.project) // annotators read the tasks handed to them
				}
			},
			run: func(c *cell) *gqlResponse {
				req, _ := http.NewRequest(http.MethodGet, c.w.s.URL+resolvePath(c.task, c.marker), nil)
				return c.caller.do(req)
			},
			state: taskCountState,
		},
	}
}

type errLeak string

func (e errLeak) Error() string { return "the answer shows " + string(e) }
