"""The public download page `/d/<token>` (blueprint "download"): a face over the download-link service."""
