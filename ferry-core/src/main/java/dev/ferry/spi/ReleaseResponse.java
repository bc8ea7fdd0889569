package dev.ferry.spi;

/** @param released how many leases were given back */
public record ReleaseResponse(int released) {
}
