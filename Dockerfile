# Sluice's container image: Node 20, git, non-root, fit for a read-only root filesystem.
#
# Build it with scripts/build-image.sh, not with `docker build .`: the image is FROM scratch
# and its root filesystem (rootfs/) is assembled by that script from the building machine's
# Debian packages (node, git, ssh, busybox-static, ca-certificates, each with the shared
# libraries ldd lists) plus the compiled Sluice. Sluice is built where no registry is reachable,
# so no base image can be pulled; assembling the tree from installed Debian files keeps the
# image as small as what Sluice runs and needs nothing from the network.
#
# At run time the root filesystem can be read-only: Sluice writes only to its data directory
# (/var/lib/sluice, mount a volume) and to /tmp (mount a tmpfs).
FROM scratch
COPY rootfs/ /
# The data directory belongs to the user Sluice runs as, so a fresh volume mounted there does too.
RUN ["/usr/bin/busybox", "chown", "10001:10001", "/var/lib/sluice"]
USER 10001:10001
ENV PATH=/usr/local/bin:/usr/bin \
    HOME=/var/lib/sluice \
    SLUICE_DATA_DIR=/var/lib/sluice \
    SLUICE_HOST=0.0.0.0 \
    SLUICE_PORT=7400 \
    TMPDIR=/tmp \
    NODE_ENV=production
WORKDIR /var/lib/sluice
EXPOSE 7400
ENTRYPOINT ["/usr/local/bin/sluice"]
CMD ["serve"]
