package store

import (
	"testing"
	"time"
)

// FuzzPageToken: a page token from anyone never panics the decoder, and a token the store issued decodes to the
// same key only for the filters it was issued for.
func FuzzPageToken(f *testing.F) {
	f.Add(encodePageToken(pageKey{Time: time.Unix(1700000000, 0).UTC(), ID: "abc"}, "f1"), "f1")
	f.Add("", "f")
	f.Add("!!", "f")
	f.Add("eyJ0IjoiMjAyNi0xMS0yMlQwMDowMDowMFoiLCJpZCI6IngifQ", "f")
	f.Fuzz(func(t *testing.T, token, fingerprint string) {
		k, err := decodePageToken(token, fingerprint)
		if err != nil || k == nil {
			return
		}
		again, err := decodePageToken(encodePageToken(*k, fingerprint), fingerprint)
		if err != nil || again.ID != k.ID || !again.Time.Equal(k.Time) {
			t.Fatalf("re-encoded token does not round-trip: %v %v", again, err)
		}
		if _, err := decodePageToken(encodePageToken(*k, fingerprint), fingerprint+"x"); err == nil {
			t.Fatal("a token served other filters")
		}
	})
}
