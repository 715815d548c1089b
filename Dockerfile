# syntax=docker/dockerfile:1
# Multi-stage: build with the Rust toolchain, run on a slim Debian as a non-root user.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin dermadesk

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --create-home --home-dir /app dermadesk
WORKDIR /app
COPY --from=build /src/target/release/dermadesk /usr/local/bin/dermadesk
COPY config ./config
RUN mkdir -p /app/data && chown -R dermadesk /app/data
USER 10001
ENV APP_ENV=production
EXPOSE 8080
# No curl in the image: bash's /dev/tcp asks /readyz (database reachable).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080 && printf "GET /readyz HTTP/1.0\r\n\r\n" >&3 && grep -q " 200 " <&3'
ENTRYPOINT ["dermadesk"]
CMD ["serve"]
