smoke
