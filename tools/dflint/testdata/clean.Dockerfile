# syntax=docker/dockerfile:1
FROM golang:1.26 AS build
ARG TARGETOS
RUN echo "$TARGETOS"
FROM scratch
COPY --from=build /etc/passwd /etc/passwd
ENTRYPOINT ["/x"]
