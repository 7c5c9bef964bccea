package store

import (
	"testing"
	"time"
)

var fuzzKey = []byte("0123456789abcdef0123456789abcdef")

// FuzzPageToken: a page token from anyone never panics the decoder, is taken only if this key issued it, and a
// token the store issued decodes to the same key only for the filters it was issued for.
func FuzzPageToken(f *testing.F) {
	f.Add(encodePageToken(fuzzKey, pageKey{Time: time.Unix(1700000000, 0).UTC(), ID: "7b0c5a8e-2f4d-4c1a-9e3b-5d6f7a8b9c01"}, "f1"), "f1")
	f.Add("", "f")
	f.Add("!!", "f")
	f.Add("eyJ0IjoiMjAyNi0xMS0yMlQwMDowMDowMFoiLCJpZCI6IngifQ", "f")
	f.Fuzz(func(t *testing.T, token, fingerprint string) {
		k, err := decodePageToken(fuzzKey, token, fingerprint)
		if err != nil || k == nil {
			return
		}
		if token != encodePageToken(fuzzKey, *k, fingerprint) {
			t.Fatalf("a token the key did not issue was taken: %q", token)
		}
		if _, err := decodePageToken([]byte("another key another key another k"), token, fingerprint); err == nil {
			t.Fatal("a token signed with one key was taken under another")
		}
		if _, err := decodePageToken(fuzzKey, token, fingerprint+"x"); err == nil {
			t.Fatal("a token served other filters")
		}
	})
}
