package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ltcengine/ltc/internal/ltc"
)

// kindCodes maps each kind of domain refusal to its gRPC code.
var kindCodes = map[ltc.Kind]codes.Code{
	ltc.KindInvalid:      codes.InvalidArgument,
	ltc.KindNotFound:     codes.NotFound,
	ltc.KindPrecondition: codes.FailedPrecondition,
	ltc.KindPermission:   codes.PermissionDenied,
	ltc.KindConflict:     codes.AlreadyExists,
}

// toStatus is the one place that turns an error into the gRPC status the caller sees. Refusals keep their
// message; an unavailable backend is UNAVAILABLE, a timeout DEADLINE_EXCEEDED; anything else is INTERNAL and
// tells nothing of the inside.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	var refusal *ltc.Error
	if errors.As(err, &refusal) {
		return refusalStatus(refusal.Kind, refusal.Message)
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		if _, ok := kindCodes[ltc.Kind(app.Type())]; ok {
			return refusalStatus(ltc.Kind(app.Type()), app.Message())
		}
	}
	var timeout *client.WorkflowUpdateServiceTimeoutOrCanceledError
	var deadline *serviceerror.DeadlineExceeded
	var unavailable *serviceerror.Unavailable
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &deadline), errors.As(err, &timeout):
		return status.Error(codes.DeadlineExceeded,
			"the deal's process did not answer in time; retry with the same request_id to learn the outcome")
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, "the call was cancelled")
	case errors.As(err, &unavailable):
		return status.Error(codes.Unavailable, "the process engine is unavailable; retry with the same request_id")
	case isDatabaseUnavailable(err):
		return status.Error(codes.Unavailable, "the database is unavailable; retry with the same request_id")
	}
	return status.Error(codes.Internal, "internal error")
}

// fieldPath is a request field as a refusal of the rules names it first ("bid.line_items[2].quantity: ...").
var fieldPath = regexp.MustCompile(`^[a-z_]+(\[\d+\])?(\.[a-z_]+(\[\d+\])?)*$`)

// refusalStatus is the status of a refusal of the rules. An invalid argument that names its field first ("field:
// why") carries the field violation too.
func refusalStatus(kind ltc.Kind, msg string) error {
	if kind == ltc.KindInvalid {
		if field, why, ok := strings.Cut(msg, ": "); ok && fieldPath.MatchString(field) {
			return invalidArgument(fieldViolation{field, why})
		}
	}
	return status.Error(kindCodes[kind], msg)
}

// fieldViolation is one bad field of a request.
type fieldViolation struct {
	Field       string
	Description string
}

// invalidArgument is INVALID_ARGUMENT with the per-field violations as google.rpc.BadRequest details.
func invalidArgument(violations ...fieldViolation) error {
	br := &errdetails.BadRequest{}
	msg := "invalid request"
	for i, v := range violations {
		br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{
			Field: v.Field, Description: v.Description,
		})
		if i == 0 {
			msg = fmt.Sprintf("invalid request: %s: %s", v.Field, v.Description)
		}
	}
	if len(violations) > 1 {
		msg += fmt.Sprintf(" (and %d more)", len(violations)-1)
	}
	st, err := status.New(codes.InvalidArgument, msg).WithDetails(br)
	if err != nil {
		return status.Error(codes.InvalidArgument, msg)
	}
	return st.Err()
}

// isDatabaseUnavailable reports whether err says PostgreSQL cannot be reached or is shutting down.
func isDatabaseUnavailable(err error) bool {
	var netErr net.Error
	var connErr *pgconn.ConnectError
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &connErr), errors.As(err, &netErr):
		return true
	case errors.As(err, &pgErr):
		// Class 57 (operator intervention: shutdown, crash) and 08 (connection exception).
		return len(pgErr.Code) == 5 && (pgErr.Code[:2] == "57" || pgErr.Code[:2] == "08")
	}
	return false
}
