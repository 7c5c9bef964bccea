# ltcd: one static binary for `serve`, `worker` and `migrate`.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/ltcd ./cmd/ltcd && mkdir -p /out/tls

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ltcd /usr/local/bin/ltcd
# Where the compose stack keeps the API's certificates: owned by nonroot, so a volume mounted here is writable by
# `ltcd tls-cert` and the key stays readable by ltcd's user only.
COPY --from=build --chown=65532:65532 /out/tls /tls
USER nonroot
ENTRYPOINT ["/usr/local/bin/ltcd"]
