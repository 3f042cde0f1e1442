from golang:1.26 AS Build
CMD echo hi
EXPOSE 99999
