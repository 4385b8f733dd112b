"""The inbox: the notifications people read (models, reads, pages, the desk block, the
header's badge). It knows nothing of sending: that is `notify.delivery`."""
