"""HTTP surfaces. Each only translates; none imports another; none touches SQL."""
