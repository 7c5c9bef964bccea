package ltc

import (
	"errors"
	"fmt"
)

// Kind classifies why a call was refused; the API maps each kind to one gRPC code.
type Kind string

// Kinds of refusal.
const (
	KindInvalid      Kind = "InvalidArgument"
	KindNotFound     Kind = "NotFound"
	KindPrecondition Kind = "FailedPrecondition"
	KindPermission   Kind = "PermissionDenied"
	KindConflict     Kind = "AlreadyExists"
)

// Error is a refusal by a rule of the domain. Its message says what is wrong and, where it helps, what to do.
type Error struct {
	Kind    Kind
	Message string
}

func (e *Error) Error() string { return e.Message }

func refuse(kind Kind, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// PermissionDenied refuses a caller who lacks a role, authority or team membership.
func PermissionDenied(format string, args ...any) error {
	return refuse(KindPermission, format, args...)
}

// FailedPrecondition refuses a call in the wrong state or with a prerequisite unmet.
func FailedPrecondition(format string, args ...any) error {
	return refuse(KindPrecondition, format, args...)
}

// Invalid refuses a call whose content breaks a rule.
func Invalid(format string, args ...any) error { return refuse(KindInvalid, format, args...) }

// NotFound refuses a call on something that does not exist.
func NotFound(format string, args ...any) error { return refuse(KindNotFound, format, args...) }

// Conflict refuses a call that collides with an earlier one, such as a reused request id.
func Conflict(format string, args ...any) error { return refuse(KindConflict, format, args...) }

// KindOf returns the kind of a domain refusal, or "" when err is not one.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}
