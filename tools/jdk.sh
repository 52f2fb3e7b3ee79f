# Sourced by the project's scripts: selects a JDK >= 22 (the first with the final foreign-memory
# API, which maps the packed weights; JAVA_HOME if it qualifies, else the newest under /usr/lib/jvm)
# and exports JAVA_HOME and PATH. Fails with a clear message.
vane_java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
vane_pick_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(vane_java_major "$JAVA_HOME")" -ge 22 ] 2>/dev/null; then
    return 0
  fi
  local best="" best_major=0 d m
  for d in /usr/lib/jvm/*/ /opt/java/*/ /opt/jdk*/; do
    [ -x "$d/bin/javac" ] || continue
    m=$(vane_java_major "${d%/}")
    if [ -n "$m" ] && [ "$m" -ge 22 ] 2>/dev/null && [ "$m" -gt "$best_major" ]; then best=${d%/}; best_major=$m; fi
  done
  if [ -z "$best" ]; then
    echo "Vane needs a JDK 22 or newer; none found (JAVA_HOME=${JAVA_HOME:-unset}, /usr/lib/jvm)." >&2
    echo "Install one, e.g. 'apt-get install openjdk-25-jdk-headless' or Temurin 25, and retry." >&2
    return 1
  fi
  export JAVA_HOME=$best
}
vane_pick_jdk || exit 1
export PATH="$JAVA_HOME/bin:$PATH"
# Maven 3.8 on JDK 24+ warns about sun.misc.Unsafe; keep the build log readable.
case " ${MAVEN_OPTS:-} " in *sun-misc-unsafe*) ;; *) if [ "$(vane_java_major "$JAVA_HOME")" -ge 24 ] 2>/dev/null; then export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"; fi;; esac
