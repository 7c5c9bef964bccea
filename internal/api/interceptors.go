package api

import (
	"context"
	"errors"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"buf.build/go/protovalidate"
	middleware "github.com/grpc-ecosystem/go-grpc-middleware/v2"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	grpcauth "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ltcengine/ltc/internal/auth"
)

// public reports whether a method needs no token: health checking and server reflection.
func public(fullMethod string) bool {
	return strings.HasPrefix(fullMethod, "/grpc.health.v1.Health/") ||
		strings.HasPrefix(fullMethod, "/grpc.reflection.")
}

// authenticate puts the bearer token's actor in the context, or refuses with UNAUTHENTICATED.
func authenticate(ctx context.Context, v *auth.Verifier) (context.Context, error) {
	token, err := grpcauth.AuthFromMD(ctx, "bearer")
	if err != nil {
		return nil, status.Error(codes.Unauthenticated, "missing bearer token: send metadata \"authorization: Bearer <token>\"")
	}
	actor, err := v.Verify(token)
	if err != nil {
		return nil, status.Error(codes.Unauthenticated, "invalid token: "+err.Error())
	}
	return auth.WithActor(ctx, actor), nil
}

func authUnary(v *auth.Verifier) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
		if public(info.FullMethod) {
			return next(ctx, req)
		}
		ctx, err := authenticate(ctx, v)
		if err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func authStream(v *auth.Verifier) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, next grpc.StreamHandler) error {
		if public(info.FullMethod) {
			return next(srv, ss)
		}
		ctx, err := authenticate(ss.Context(), v)
		if err != nil {
			return err
		}
		wrapped := middleware.WrapServerStream(ss)
		wrapped.WrappedContext = ctx
		return next(srv, wrapped)
	}
}

// validate refuses a bad request with INVALID_ARGUMENT and a google.rpc.BadRequest naming each bad field: one the
// codec could not decode, the rules declared in the proto (protovalidate), and the rules of each field's type
// (checkInput), before anything reaches Temporal or the database.
func validate(v protovalidate.Validator) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
		msg, ok := req.(proto.Message)
		if !ok {
			return next(ctx, req)
		}
		if violation, bad := malformed(msg); bad {
			return nil, invalidArgument(violation)
		}
		var violations []fieldViolation
		reported := map[string]bool{}
		err := v.Validate(msg)
		var verr *protovalidate.ValidationError
		if errors.As(err, &verr) {
			for _, violation := range verr.Violations {
				field := protovalidate.FieldPathString(violation.Proto.GetField())
				reported[field] = true
				violations = append(violations, fieldViolation{Field: field, Description: violation.Proto.GetMessage()})
			}
		} else if err != nil {
			return nil, status.Error(codes.Internal, "validate request: "+err.Error())
		}
		if violations = append(violations, checkInput(msg, reported)...); len(violations) > 0 {
			return nil, invalidArgument(violations...)
		}
		return next(ctx, req)
	}
}

// bound gives every call a deadline (the caller's, if shorter) and maps its error to a gRPC status, logging
// what the caller is not told.
func bound(timeout time.Duration, log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		resp, err := next(ctx, req)
		if err == nil {
			return resp, nil
		}
		st := toStatus(err)
		if code := status.Code(st); code == codes.Internal || code == codes.Unavailable {
			log.ErrorContext(ctx, "call failed", "method", info.FullMethod, "code", code.String(), "error", err)
		}
		return nil, st
	}
}

func recoverPanic(log *slog.Logger) recovery.Option {
	return recovery.WithRecoveryHandlerContext(func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in call", "panic", p, "stack", string(debug.Stack()))
		return status.Error(codes.Internal, "internal error")
	})
}

// slogLogger adapts slog to the logging interceptor.
func slogLogger(log *slog.Logger) logging.Logger {
	return logging.LoggerFunc(func(ctx context.Context, level logging.Level, msg string, fields ...any) {
		log.Log(ctx, slog.Level(level), msg, fields...)
	})
}

// callFields puts the request id and the deal (or lead, or decision) a call is about into its log line. The
// token never is: only these fields of the request are read.
func callFields(_ context.Context, c interceptors.CallMeta) logging.Fields {
	msg, ok := c.ReqOrNil.(proto.Message)
	if !ok {
		return nil
	}
	var fields logging.Fields
	m := msg.ProtoReflect()
	for _, name := range []string{"request_id", "opportunity_id", "lead_id", "decision_id", "id", "deal_id"} {
		fd := m.Descriptor().Fields().ByName(protoreflect.Name(name))
		if fd == nil || fd.Kind() != protoreflect.StringKind {
			continue
		}
		if v := m.Get(fd).String(); v != "" {
			fields = append(fields, name, v)
		}
	}
	return fields
}
