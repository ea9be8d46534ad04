"""Where processed frames go: MP4 and PNG writers, and the signed (C2PA) MP4 writer."""
