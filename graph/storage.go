package graph

import (
	"strconv"

	"gloss/ent"
	"gloss/graph/model"
	"gloss/internal/storage"
)

// storageInput turns the GraphQL storage inputs into the service's Input.
func storageInput(title, description, prefix, regex *string, blob, recursive, presign *bool, ttl *int, del *bool,
	s3 *model.S3Settings, gcs *model.GCSSettings, azure *model.AzureSettings, redis *model.RedisSettings, local *model.LocalSettings,
) storage.Input {
	in := storage.Input{
		Title: title, Description: description, Prefix: prefix, RegexFilter: regex, UseBlobURLs: blob,
		RecursiveScan: recursive, Presign: presign, PresignTTLMinutes: ttl, CanDeleteObjects: del,
	}
	if s3 != nil {
		in.S3 = &storage.S3Input{Bucket: s3.Bucket, Region: s3.Region, Endpoint: s3.Endpoint,
			AccessKeyID: s3.AccessKeyID, SecretAccessKey: s3.SecretAccessKey, SessionToken: s3.SessionToken}
	}
	if local != nil {
		in.Local = &storage.LocalInput{Path: local.Path}
	}
	if redis != nil {
		in.Redis = &storage.RedisInput{Host: redis.Host, Port: redis.Port, DB: redis.Db, Password: redis.Password, TLS: redis.TLS}
	}
	if gcs != nil {
		in.GCS = &storage.GCSInput{Bucket: gcs.Bucket, ProjectID: gcs.ProjectID, CredentialsJSON: gcs.CredentialsJSON, Endpoint: gcs.Endpoint}
	}
	if azure != nil {
		in.Azure = &storage.AzureInput{Container: azure.Container, AccountName: azure.AccountName, AccountKey: azure.AccountKey, Endpoint: azure.Endpoint}
	}
	return in
}

// setting returns one of a storage's non-secret settings, or nil.
func setting(st *ent.Storage, name string) *string {
	if v, ok := st.Settings[name]; ok && v != "" {
		return &v
	}
	return nil
}

// intSetting returns one of a storage's numeric settings, or nil.
func intSetting(st *ent.Storage, name string) *int {
	v, err := strconv.Atoi(st.Settings[name])
	if err != nil {
		return nil
	}
	return &v
}
